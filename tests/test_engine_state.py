"""The engine's array state: runs of concatenated per-article values."""

from __future__ import annotations

import numpy as np
import pytest

from digest.dedup.arrays import Runs


@pytest.mark.parametrize(
    "lens",
    [[3, 1, 4], [0, 2, 3], [2, 0, 0, 3], [2, 3, 0], [4, 0, 0], [0, 0], [], [1]],
)
def test_runs_sum_each_article_including_empty_ones(lens: list[int]) -> None:
    runs = Runs(np.array(lens, dtype=np.int64))
    values = np.arange(1.0, sum(lens) + 1.0) ** 2
    expected = np.bincount(np.repeat(np.arange(len(lens)), lens), weights=values, minlength=len(lens))
    assert runs.owner.tolist() == np.repeat(np.arange(len(lens)), lens).tolist()
    assert runs.sum(values).tolist() == pytest.approx(expected.tolist())
    assert runs.sum(values).shape == (len(lens),)

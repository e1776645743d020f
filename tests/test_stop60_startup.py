"""A cold start's costs: the engine's first article without scipy.integrate's import
(datasketch's, for a function the default threshold never calls) nor wordfreq's (the
background prior read from its precomputed table), each giving what it gave before."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_a_cold_engine_imports_neither_scipy_integrate_nor_wordfreq() -> None:
    code = textwrap.dedent(
        """
        import sys
        from digest.dedup.engine import Engine
        from digest.dedup.doc import Doc
        eng = Engine()
        for i, title in enumerate(["Ferry runs aground near Kestrel Point",
                                   "Kestrel Point ferry aground in fog, 212 safe"]):
            eng.add(Doc(id=str(i), title=title, text=title + ". Passengers were taken off.",
                        source=f"s{i}", published=1_700_000_000.0 + i))
        import numpy as np
        from digest.dedup.neighbours import average_linkage
        sim = np.array([[1.0, 0.9, 0.1], [0.9, 1.0, 0.2], [0.1, 0.2, 1.0]])
        labels = average_linkage(sim, 0.5).tolist()
        print(sorted(m for m in ("scipy.integrate", "wordfreq", "scipy.cluster", "scipy.spatial")
                     if m in sys.modules))
        import scipy.integrate  # the real one, not the stand-in used while datasketch loads
        print(scipy.integrate.quad(lambda x: x, 0.0, 1.0)[0], scipy.integrate.__file__ is not None)
        from scipy.cluster.hierarchy import linkage  # the real package, after its stand-in
        from digest.dedup.sketch import average_linkage_tree
        dist = 1.0 - sim
        np.fill_diagonal(dist, 0.0)
        print(labels, np.array_equal(average_linkage_tree(dist), linkage(dist[np.triu_indices(3, 1)], "average")))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    ).stdout.split("\n")
    assert out[0] == "[]", out
    assert out[1] == "0.5 True", out
    assert out[2] == "[0, 0, 1] True", out


def test_prior_table_is_the_computed_one() -> None:
    from digest.dedup import background, prior_table
    from digest.dedup.terms import word_id

    table = prior_table._load(word_id, prior_table.TABLE)
    assert table is not None, "prior.npz is stale: python -m digest.dedup.prior_table"
    probs, floor = background.doc_probabilities(word_id)
    assert table[1] == floor
    assert table[0] == probs  # the same keys, the same floats (bit for bit)


def test_a_table_made_otherwise_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from digest.dedup import prior_table
    from digest.dedup.terms import term_id, word_id

    unstemmed = tmp_path / "unstemmed.npz"
    prior_table.write(term_id, unstemmed)  # another key: the sample's ids differ
    assert prior_table._load(term_id, unstemmed) is not None
    assert prior_table._load(word_id, unstemmed) is None
    ours = tmp_path / "ours.npz"
    prior_table.write(word_id, ours)
    assert prior_table._load(word_id, ours) is not None
    monkeypatch.setattr(prior_table, "OTHER_WORDS", prior_table.OTHER_WORDS + 1)
    assert prior_table._load(word_id, ours) is None  # another recipe
    (tmp_path / "torn.npz").write_bytes(ours.read_bytes()[:1000])
    monkeypatch.undo()
    assert prior_table._load(word_id, tmp_path / "torn.npz") is None


@pytest.mark.parametrize("size", [2, 3, 7, 40, 150])
def test_average_linkage_tree_is_scipys(size: int) -> None:
    """The compiled function scipy's ``linkage`` calls, called alike: the same tree, bit for
    bit, ties (similarities of a few values, as shared-neighbour ones are) included."""
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    from digest.dedup.sketch import average_linkage_tree

    rng = np.random.default_rng(size)
    for values in (None, 4):
        sim = rng.random((size, size)) if values is None else rng.integers(0, values, (size, size)) / values
        dist = np.clip(1.0 - (sim + sim.T) / 2.0, 0.0, None)
        np.fill_diagonal(dist, 0.0)
        assert np.array_equal(average_linkage_tree(dist), linkage(squareform(dist, checks=False), method="average"))


def test_known_bands_are_datasketchs() -> None:
    from datasketch import MinHashLSH

    from digest.dedup.index import KNOWN_BANDS
    from digest.dedup.params import NUM_PERM, Params

    assert (Params().lsh_threshold, NUM_PERM) in KNOWN_BANDS  # the default: always asked
    for (threshold, num_perm), bands in KNOWN_BANDS.items():
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert (lsh.b, lsh.r) == bands

"""benchmarks.consensus (stop 60): stories kept where perturbed runs of the engine agree."""

from __future__ import annotations

import random

from benchmarks.consensus import consensus, perturbed


def _groups(labels: dict[str, int]) -> set[frozenset[str]]:
    out: dict[int, set[str]] = {}
    for i, c in labels.items():
        out.setdefault(c, set()).add(i)
    return {frozenset(g) for g in out.values()}


def test_a_report_joined_in_a_minority_of_runs_stands_apart() -> None:
    ids = ["a1", "a2", "a3", "x"]
    runs = [
        {"a1": "s", "a2": "s", "a3": "s", "x": "s"},  # the engine's own run: x in the story
        {"a1": "s", "a2": "s", "a3": "s", "x": "t"},
        {"a1": "s", "a2": "s", "a3": "s", "x": "t"},
    ]
    assert _groups(consensus(runs, ids, 0.5)) == {frozenset({"a1", "a2", "a3"}), frozenset({"x"})}
    assert _groups(consensus(runs, ids, 0.3)) == {frozenset(ids)}  # joined in a third of runs: enough at 0.3


def test_story_ids_need_not_match_across_runs() -> None:
    ids = ["a", "b", "c"]
    runs = [{"a": "1", "b": "1", "c": "2"}, {"a": "9", "b": "9", "c": "7"}]
    assert _groups(consensus(runs, ids, 0.5)) == {frozenset({"a", "b"}), frozenset({"c"})}


def test_perturbed_keeps_titles_first_words_and_orders_by_the_moved_arrival() -> None:
    rows = [
        {"id": "1", "title": "T one", "text": "Alpha beta gamma delta", "published": "2024-03-01T10:00:00Z",
         "arrived": "2024-03-01T10:05:00Z"},
        {"id": "2", "title": "T two", "text": "Omega", "published": "2024-03-01T10:01:00Z",
         "arrived": "2024-03-01T10:06:00Z"},
    ]
    out = perturbed(rows, 1.0, 0.0, random.Random(0))
    assert [r["text"] for r in out] == ["Alpha", "Omega"] and [r["title"] for r in out] == ["T one", "T two"]
    assert perturbed(rows, 0.0, 0.0, random.Random(0)) == rows
    moved = perturbed(rows, 0.0, 12.0, random.Random(3))
    assert [r["arrived"] for r in moved] == sorted(r["arrived"] for r in moved)
    assert {r["id"] for r in moved} == {"1", "2"} and moved[0]["arrived"] != rows[0]["arrived"]

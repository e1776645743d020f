"""The benchmark metrics and helpers on tiny hand-made clusterings (no corpus)."""

from __future__ import annotations

import json
import random
import re
import sys
import tomllib
from pathlib import Path

import pytest

from benchmarks.common import (
    ari,
    ari_plain,
    bcubed,
    figures,
    mixed_stories,
    pairwise,
    run_dedupe,
    sibling_mixed_stories,
)

GOLD = {"a": 1, "b": 1, "c": 2, "d": 2}
#: Why a test needing scikit-learn skips: the ``bench`` extra installs it (as ``benchmarks.stories`` says).
NO_SKLEARN = "scikit-learn is not installed (pip install -e '.[bench]')"


def test_perfect_clustering() -> None:
    pred = {"a": "x", "b": "x", "c": "y", "d": "y"}
    assert bcubed(pred, GOLD) == (1.0, 1.0, 1.0)
    assert ari(pred, GOLD) == 1.0 and ari_plain(pred, GOLD) == 1.0
    assert pairwise(pred, GOLD) == (1.0, 1.0)
    assert mixed_stories(pred, GOLD) == 0


def test_all_singletons_and_all_in_one() -> None:
    single = {k: k for k in GOLD}
    p, r, _ = bcubed(single, GOLD)
    assert p == 1.0 and r == 0.5
    assert pairwise(single, GOLD) == (1.0, 0.0)
    one = dict.fromkeys(GOLD, "z")
    p, r, _ = bcubed(one, GOLD)
    assert p == 0.5 and r == 1.0 and mixed_stories(one, GOLD) == 1
    assert ari_plain(one, GOLD) == 0.0
    assert pairwise(one, GOLD) == (pytest.approx(2 / 6), 1.0)


def test_bcubed_by_hand() -> None:
    # gold {1,2,3} {4,5}; pred {1,2} {3,4,5}
    gold = {"1": "A", "2": "A", "3": "A", "4": "B", "5": "B"}
    pred = {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    p, r, f = bcubed(pred, gold)
    # precision: 1,1,1/3,2/3,2/3 -> 11/15; recall: 2/3,2/3,1/3,1,1 -> 11/15
    assert p == pytest.approx(11 / 15) and r == pytest.approx(11 / 15)
    assert f == pytest.approx(11 / 15)
    # pairs together in pred: (1,2) (3,4) (3,5) (4,5); in gold: (1,2) (1,3) (2,3) (4,5)
    assert pairwise(pred, gold) == (pytest.approx(0.5), pytest.approx(0.5))


def test_ari_matches_a_known_value() -> None:
    gold = {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1, "6": 1}
    pred = {"1": 0, "2": 0, "3": 1, "4": 1, "5": 2, "6": 2}
    assert abs(ari_plain(pred, gold) - 0.24242424) < 1e-6  # sklearn.metrics.adjusted_rand_score
    assert abs(ari(pred, gold) - 0.24242424) < 1e-6


def test_plain_ari_agrees_with_sklearn_on_random_clusterings() -> None:
    metrics = pytest.importorskip("sklearn.metrics", reason=NO_SKLEARN)
    rng = random.Random(7)
    for _ in range(50):
        n = rng.randint(2, 40)
        gold = {str(i): rng.randint(0, 5) for i in range(n)}
        pred = {str(i): rng.randint(0, rng.randint(0, 8)) for i in range(n)}
        want = metrics.adjusted_rand_score([gold[k] for k in gold], [pred[k] for k in gold])
        assert ari_plain(pred, gold) == pytest.approx(want, abs=1e-9)


def test_labels_of_different_types_do_not_collide_in_ari() -> None:
    # predicted label 1 and gold label 1 are unrelated things
    gold = {"a": 1, "b": 1, "c": 2}
    pred = {"a": 1, "b": 2, "c": 2}
    assert ari(pred, gold) == pytest.approx(ari_plain(pred, gold))


def test_sibling_events_are_counted_apart_from_other_mixes() -> None:
    gold = {"a": "1ecb", "b": "1ecbplus", "c": "2ecb", "d": "3ecb", "e": "3ecbplus"}
    topic = {"1ecb": 1, "1ecbplus": 1, "2ecb": 2, "3ecb": 3, "3ecbplus": 3}
    pred = {"a": "s", "b": "s", "c": "t", "d": "t", "e": "u"}
    assert mixed_stories(pred, gold) == 2
    assert sibling_mixed_stories(pred, gold, topic) == 1


def test_figures_and_the_fake_engine() -> None:
    rows = [
        {"id": f"{t}_{k}", "topic": t, "event": f"{t}ecb{'plus' if k % 2 else ''}",
         "title": "x", "text": "y"}
        for t in (2, 4) for k in range(4)
    ]
    res = run_dedupe(rows, engine="fake")
    assert list(res.story) == [r["id"] for r in rows] and all(res.lead.values())
    fig = figures(res.story, rows)
    assert fig["b3_precision"] == 1.0 and fig["b3_recall"] == 0.5
    assert fig["stories"] == 8 and fig["events"] == 4 and fig["mixed_stories"] == 0
    topic_wide = figures({r["id"]: r["topic"] for r in rows}, rows)
    assert topic_wide["sibling_mixed_stories"] == 2 and topic_wide["b3_recall"] == 1.0


def test_tfidf_tree_cut_equals_agglomerative_clustering_at_every_threshold() -> None:
    pytest.importorskip("sklearn", reason=NO_SKLEARN)
    from benchmarks.stories import TfidfTree, same_partition

    words = "quake fire storm rescue court vote strike match fans police".split()
    rng = random.Random(3)
    rows = [
        {"id": str(i), "event": i % 4, "title": " ".join(rng.choices(words, k=4)),
         "text": " ".join(rng.choices(words[: 3 + i % 7], k=12))}
        for i in range(30)
    ]
    tree = TfidfTree(rows)
    for t in (0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.0):
        assert same_partition(tree.cut(t), tree.direct(t)), t
    assert len(set(tree.cut(0.0).values())) == 30


def test_without_scikit_learn_its_tests_skip_naming_the_extra_that_installs_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
    named = re.search(r"\.\[(\w+)\]", NO_SKLEARN)
    assert named is not None
    extra = project["optional-dependencies"][named.group(1)]
    assert any(dep.lower().startswith("scikit-learn") for dep in extra), extra
    for module in ("sklearn", "sklearn.metrics"):  # an import of these now fails, as when absent
        monkeypatch.setitem(sys.modules, module, None)
    for test in (test_plain_ari_agrees_with_sklearn_on_random_clusterings,
                 test_tfidf_tree_cut_equals_agglomerative_clustering_at_every_threshold):
        with pytest.raises(pytest.skip.Exception) as skipped:
            test()
        assert skipped.value.msg == NO_SKLEARN, test.__name__


# -- the gate and the syndicated-copy generator (no corpus) ---------------------


def test_gate_fails_on_a_figure_that_is_not_a_number(tmp_path: Path) -> None:
    from benchmarks.gate import FLOORS, main

    floors = json.loads(FLOORS.read_text())["floors"]
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"figures": floors}))
    assert main([str(good)]) == 0
    name = next(iter(floors))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"figures": {**floors, name: float("nan")}}))
    assert main([str(bad)]) == 1
    bad.write_text(json.dumps({"figures": {**floors, name: "0.99"}}))
    assert main([str(bad)]) == 1


def test_gate_reads_mapped_keys(tmp_path: Path) -> None:
    from benchmarks.gate import FLOORS, main

    floors = dict(json.loads(FLOORS.read_text())["floors"])
    name = "extraction_f1"
    value = floors.pop(name)
    rest = tmp_path / "rest.json"
    rest.write_text(json.dumps({"figures": floors}))
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"scores": {"clean": {"f1": value}}}))
    assert main([str(rest), str(other)]) == 1
    assert main([str(rest), str(other), "--map", f"{name}=scores.clean.f1"]) == 0
    other.write_text(json.dumps({"scores": {"clean": {"f1": value - 0.01}}}))
    assert main([str(rest), str(other), "--map", f"{name}=scores.clean.f1"]) == 1


def _articles() -> list[dict[str, object]]:
    rng = random.Random(1)
    words = "the police said fire crews storm rescue court vote market quake".split()
    rows = []
    for t in range(6):
        text = " ".join(
            " ".join(rng.choices(words, k=12)).capitalize() + "." for _ in range(8)
        )
        rows.append({"id": f"{t}_1ecb", "topic": t, "event": f"{t}ecb",
                     "title": f"Headline number {t} about {words[t]}.", "text": text})
    return rows


def test_syndicated_copies_are_deterministic_and_keep_the_body() -> None:
    import re

    from benchmarks.syndicate import score
    from benchmarks.syndicate_mix import build_mixture

    rows = _articles()
    a, b = build_mixture(rows, 6, seed=3), build_mixture(rows, 6, seed=3)
    assert [v.record for v in a] == [v.record for v in b]
    assert [v.record for v in a] != [v.record for v in build_mixture(rows, 6, seed=4)]
    copies = [v for v in a if v.kind != "ecb"]
    assert len(copies) >= 6 and {v.origin for v in copies} == {r["id"] for r in rows}
    body = {r["id"]: re.findall(r"[a-z]+", str(r["text"]).lower()) for r in rows}
    for v in copies:
        raw = v.record.get("text") or re.sub(r"<[^>]+>", " ", v.record["html"])
        got = re.findall(r"[a-z]+", raw.lower())
        assert v.record["source"] and v.event == f"{v.origin.split('_')[0]}ecb"
        if v.kind == "full":  # every word of the body, in order, somewhere in the copy
            it = iter(got)
            assert all(w in it for w in body[v.origin]), v.id
        else:
            assert len(got) < len(body[v.origin])
    # scoring: perfect clustering by origin with the originals as leads
    story = {v.id: v.origin for v in a}
    lead = {v.id: v.kind == "ecb" for v in a}
    fig = score(a, story, lead)
    assert fig["syndicated_pair_recall"] == 1.0 and fig["syndicated_precision"] == 1.0
    assert fig["syndicated_lead_full"] == 1.0 and fig["syndicated_lead_cleanest"] == 1.0
    # a summary as lead, and one copy moved into another event's story
    summary = next(v for v in copies if v.kind == "summary")
    lead = {**lead, summary.origin: False, summary.id: True}
    stray = next(v for v in copies if v.origin != summary.origin)
    story = {**story, stray.id: summary.origin}
    fig = score(a, story, lead)
    assert fig["syndicated_lead_full"] < 1.0
    assert fig["syndicated_precision"] == 1 - 1 / len(copies)
    assert fig["syndicated_pair_recall"] == 1 - 1 / len(copies)

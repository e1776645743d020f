"""The benchmark metrics on tiny hand-made clusterings."""

from benchmarks.common import ari, bcubed, mixed_stories, pairwise

GOLD = {"a": 1, "b": 1, "c": 2, "d": 2}


def test_perfect_clustering() -> None:
    pred = {"a": "x", "b": "x", "c": "y", "d": "y"}
    assert bcubed(pred, GOLD) == (1.0, 1.0, 1.0)
    assert ari(pred, GOLD) == 1.0 and pairwise(pred, GOLD) == (1.0, 1.0)
    assert mixed_stories(pred, GOLD) == 0


def test_all_singletons_and_all_in_one() -> None:
    single = {k: k for k in GOLD}
    p, r, _ = bcubed(single, GOLD)
    assert p == 1.0 and r == 0.5
    one = dict.fromkeys(GOLD, "z")
    p, r, _ = bcubed(one, GOLD)
    assert p == 0.5 and r == 1.0 and mixed_stories(one, GOLD) == 1
    assert ari(one, GOLD) == 0.0


def test_ari_matches_a_known_value() -> None:
    gold = {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1, "6": 1}
    pred = {"1": 0, "2": 0, "3": 1, "4": 1, "5": 2, "6": 2}
    assert abs(ari(pred, gold) - 0.24242424) < 1e-6  # sklearn.metrics.adjusted_rand_score

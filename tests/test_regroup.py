"""Regrouping: shared-neighbour similarity and average linkage (pure), and the engine moving
an article when later versions show it belongs elsewhere."""

from __future__ import annotations

import numpy as np

from digest.dedup.engine import Engine, Params
from digest.dedup.neighbours import average_linkage, neighbour_sets, shared_similarity
from tests.support.reference import neighbour_set
from tests.support.stories import load


def test_neighbour_set_keeps_only_neighbours_close_to_the_nearest() -> None:
    def one(num: int, nbrs: np.ndarray, sims: np.ndarray, ratio: float) -> list[int]:
        row = neighbour_sets(np.array([num], np.int32), nbrs[None, :], sims[None, :], ratio)[0]
        assert row[0] == num  # the article itself first
        return sorted(row[row >= 0].tolist())

    nbrs = np.array([4, 7, 9, -1], dtype=np.int32)
    sims = np.array([0.8, 0.5, 0.3, -1.0], dtype=np.float32)
    assert one(1, nbrs, sims, 0.5) == [1, 4, 7]
    assert one(1, nbrs, sims, 0.0) == [1, 4, 7, 9]
    assert one(3, np.full(4, -1, np.int32), np.full(4, -1.0, np.float32), 0.5) == [3]


def test_shared_similarity_is_overlap_over_the_smaller_set() -> None:
    sets = [np.array([0, 1, 2]), np.array([0, 1, 2, 3]), np.array([5, 6])]
    sim = shared_similarity(sets)
    assert sim[0, 1] == sim[1, 0] == 1.0  # {0,1,2} lies inside {0,1,2,3}
    assert sim[0, 2] == 0.0
    assert np.all(np.diag(sim) == 1.0)
    sets = [np.array([0, 1, 2, 3]), np.array([2, 3, 4, 5])]
    assert shared_similarity(sets)[0, 1] == 0.5


def test_average_linkage_does_not_chain_through_a_bridge() -> None:
    # two tight pairs; article 2 resembles one member of each pair strongly, the others not at all
    sim = np.array([
        [1.0, 0.9, 0.6, 0.0, 0.0],
        [0.9, 1.0, 0.0, 0.0, 0.0],
        [0.6, 0.0, 1.0, 0.6, 0.0],
        [0.0, 0.0, 0.6, 1.0, 0.9],
        [0.0, 0.0, 0.0, 0.9, 1.0],
    ])
    labels = average_linkage(sim, 0.4)
    assert labels[0] == labels[1] and labels[3] == labels[4]
    assert labels[0] != labels[3]
    assert labels[0] == 0  # numbered by first member
    # a lower bar joins the whole bridge: the threshold matters
    assert len(set(average_linkage(sim, 0.1).tolist())) == 1
    assert average_linkage(np.ones((1, 1)), 0.4).tolist() == [0]


def test_an_article_moves_out_when_the_story_s_own_versions_arrive() -> None:
    eng = Engine()
    eng.add(load("quake_a1"))
    first = eng.add(load("quake_b"))  # another earthquake: alone with a1, only loosely like it
    a = eng.add(load("quake_a2"))  # a close rewrite of a1: b is not like the two of them
    assert eng.story_of("quake_a2") == eng.story_of("quake_a1") == "quake_a1"
    assert eng.story_of("quake_b") == "quake_b"
    assert sorted(eng.members("quake_a1")) == ["quake_a1", "quake_a2"]
    if first.story_id == "quake_a1":  # it had joined: the regrouping moved it out, and says so
        assert ("quake_b", "quake_b") in a.moved and set(a.touched) == {"quake_a1", "quake_b"}


def test_regrouping_reports_every_move_so_a_store_can_follow() -> None:
    """Replaying the reported moves on a plain mapping gives the engine's final stories."""
    names = ["quake_a1", "quake_b", "council_a", "quake_a2", "council_b"]
    eng = Engine()
    mirror: dict[str, str] = {}
    for n in names:
        a = eng.add(load(n))
        mirror[n] = a.story_id
        for key, sid in a.moved:
            mirror[key] = sid
        assert set(a.merged).isdisjoint(mirror.values())
    assert mirror == {n: eng.story_of(n) for n in names}


def test_neighbour_sets_at_once_equal_one_at_a_time() -> None:
    rng = np.random.default_rng(3)
    nums = np.arange(40, dtype=np.int32)
    nbrs = rng.integers(-1, 60, size=(40, 8)).astype(np.int32)
    sims = np.where(nbrs >= 0, rng.random((40, 8)), -1.0).astype(np.float32)
    nbrs[5] = -1  # an article without neighbours
    sims[5] = -1.0
    mat = neighbour_sets(nums, nbrs, sims, 0.5)
    one = [neighbour_set(int(x), nbrs[i], sims[i], 0.5) for i, x in enumerate(nums)]
    for row, want in zip(mat, one, strict=True):
        assert sorted(set(row[row >= 0].tolist())) == want.tolist()
    assert np.array_equal(shared_similarity(mat), shared_similarity(one))


def test_average_linkage_cut_equals_scipy_fcluster() -> None:
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    rng = np.random.default_rng(7)
    for _ in range(20):
        r = int(rng.integers(2, 40))
        m = rng.random((r, r)) ** 3
        sim = (m + m.T) / 2
        np.fill_diagonal(sim, 1.0)
        ours = average_linkage(sim, 0.4)
        dist = 1.0 - sim
        np.fill_diagonal(dist, 0.0)
        ref = fcluster(linkage(squareform(dist, checks=False), "average"), t=0.6 + 1e-9, criterion="distance")
        # the same partition (labels may differ)
        assert len(set(zip(ours.tolist(), ref.tolist(), strict=True))) == len(set(ours.tolist())) == len(set(ref.tolist()))


def test_nearest_names_the_neighbours_an_article_would_get_without_adding_it() -> None:
    eng = Engine()
    for n in ("quake_a1", "council_a", "quake_b"):
        eng.add(load(n))
    doc = load("quake_a2")
    near = eng.nearest(doc, eng.fingerprint(doc))
    assert near[0][0] == "quake_a1" and near[0][1] > 0.5  # its close rewrite first
    assert "council_a" not in dict(near)  # another subject: no neighbour
    assert "quake_a2" not in eng and len(eng) == 3  # nothing was added


def test_an_early_report_does_not_follow_a_later_event_of_its_kind() -> None:
    """A report published days before every other member of its group, that leaves a version
    of its own story for them, reports an earlier event of the same kind (two emergency
    patches of one browser two days apart): its links to the later ones count a fifth.  The
    first report of a story whose follow-ups join it days later is not parted from anything
    and keeps them."""
    from digest.dedup.regrouping import linkage

    day = 86400.0
    # 0: the first event's early report; 1: its rewrite, a little less like it than the
    # second event's reports 2-4 (two days later) are: alike in words, not in what happened
    sim = np.array([
        [1.0, 0.5, 0.6, 0.6, 0.6],
        [0.5, 1.0, 0.0, 0.0, 0.0],
        [0.6, 0.0, 1.0, 0.9, 0.9],
        [0.6, 0.0, 0.9, 1.0, 0.9],
        [0.6, 0.0, 0.9, 0.9, 1.0],
    ])
    times = np.array([0.0, 0.1, 2.0, 2.1, 2.2]) * day
    old = np.array([7, 7, 7, 7, -1])  # 0 and 1 in one story (the second event's first joined it)
    plain = linkage(Params(lead_gap=0.0), sim, times, old)
    assert plain[0] == plain[2] != plain[1]  # without the check, 0 goes with the later event
    labels = linkage(Params(), sim, times, old)
    assert labels[0] == labels[1] != labels[2] == labels[3] == labels[4]
    # the original report, its follow-ups two days later: nothing of its story is left behind
    keep = np.ix_([0, 2, 3, 4], [0, 2, 3, 4])
    labels = linkage(Params(), sim[keep], times[[0, 2, 3, 4]], np.array([7, 7, 7, -1]))
    assert len(set(labels.tolist())) == 1


def test_two_reports_alone_in_the_store_join_on_names_not_on_kind() -> None:
    """In a young store an article's only neighbour is the other one, so shared neighbours say
    1 whatever the pair: two earthquakes' reports alone (cosine 0.19) joined.  Their names
    (places, people) tell them apart; a rewrite of one quake still joins."""

    def together(a: str, b: str, params: Params) -> bool:
        eng = Engine(params)
        eng.add(load(a))
        eng.add(load(b))
        return eng.story_of(a) == eng.story_of(b)

    assert not together("quake_a1", "quake_b", Params())
    assert not together("quake_b", "quake_a2", Params())
    assert together("quake_a1", "quake_a2", Params())
    # without the names and young caps (and the clock: the two state 4.12am and 7.40pm, stop 61)
    assert together("quake_a1", "quake_b", Params(names_sparse=0.0, young_list=0, clock_factor=1.0))
    assert not together("quake_a1", "quake_b", Params(names_sparse=0.0, young_list=0, clock_factor=0.2))


def test_two_reviews_alone_in_the_store_far_apart_stay_two_stories() -> None:
    """Each other's only neighbour, two reviews of one magazine (a workshop manual, a picture
    book; cosine 0.13, no names to tell them apart) counted fully by their relative cosine and
    joined; under ``Params.sparse_cosine`` a sparse pair's link is 0 whatever its rank."""

    def together(params: Params) -> bool:
        eng = Engine(params)
        eng.add(load("review_manual"))
        eng.add(load("review_book"))
        return eng.story_of("review_manual") == eng.story_of("review_book")

    assert not together(Params())
    assert together(Params(sparse_cosine=0.0, young_list=0))  # without the floor (and the young cap)

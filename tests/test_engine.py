"""The dedup engine on fixtures written for this project (pure: no disk, no network)."""

from __future__ import annotations

import numpy as np
import pytest

from digest.dedup.cosines import member_cosines
from digest.dedup.engine import Doc, Engine, Params
from digest.dedup.fingerprint import Fingerprint
from digest.dedup.state import EngineState
from tests.support.stories import PIRATES, load, templated


def test_rewrites_join_and_different_events_stay_apart() -> None:
    eng = Engine()
    for name in ("quake_a1", "council_a", "quake_b", "quake_a2", "council_b"):
        eng.add(load(name))
    assert eng.story_of("quake_a1") == eng.story_of("quake_a2")
    # same kind of event (two earthquakes), different events
    assert eng.story_of("quake_b") != eng.story_of("quake_a1")
    # same people and council, different decisions
    assert eng.story_of("council_a") != eng.story_of("council_b")
    assert len(eng.stories()) == 4


def test_templated_reports_of_two_events_stay_apart() -> None:
    """Wire templates (quakes, results, earnings) repeat every word but the names and numbers:
    as word sequences they look like copies, and two of them are each other's only neighbours;
    the names they do not share keep them apart, while a copy and a summary still join."""
    a = load("quake_a1")
    b = templated(a, "quake_gisborne")
    first_par = a.text.strip().split("\n")[0]
    eng = Engine()
    eng.add(a)
    eng.add(b)
    assert eng.story_of("quake_gisborne") != eng.story_of("quake_a1")
    eng.add(Doc(id="copy", title=a.title + " | Coast News", text="Share this\n" + a.text))
    eng.add(Doc(id="summary", title=b.title, text=first_par.replace("Taranaki", "Gisborne")
                .replace("Opunake", "Tolaga").replace("6.1", "5.4").replace("4,000", "1,300") + " …"))
    assert eng.story_of("copy") == eng.story_of("quake_a1")
    assert eng.story_of("summary") == eng.story_of("quake_gisborne")
    assert len(eng.stories()) == 2


def test_a_templated_report_of_another_event_is_not_a_copy() -> None:
    """As word sequences the two reports are copies (most 4-shingles are shared); the copy test
    also asks that the shorter one's names be the other's."""
    from digest.dedup.copies import is_copy, names_shared, sketch

    one = dict(sea="Gulf of Aden", ship="INS Tabar", officer="Commander Nirmal Verma", port="Mumbai")
    two = dict(sea="Mozambique Channel", ship="FS Nivose", officer="Captain Hugues Laine", port="Toulon")
    a = Doc(id="aden", title="Navy foils pirate attack in Gulf of Aden", text=PIRATES.format(**one))
    b = Doc(id="channel", title="Navy foils pirate attack in Mozambique Channel", text=PIRATES.format(**two))
    assert is_copy(sketch(a.text, a.title), sketch(b.text, b.title))  # the word sequences alone
    eng = Engine()
    fa, fb = eng.fingerprint(a), eng.fingerprint(b)
    assert names_shared(fa.vocab_idx(), fb.vocab_idx()) < 0.5
    eng.add(a)
    eng.add(b)
    assert eng.story_of("channel") != eng.story_of("aden")
    summary = Doc(id="brief", title=a.title, text=PIRATES.format(**one)[:300] + " …", truncated=True)
    assert eng.add(summary).story_id == eng.story_of("aden")


def test_a_templated_report_is_scaled_down_before_it_enters_the_neighbour_lists() -> None:
    """Where neighbourhoods are crowded, shared neighbours alone decide: a templated report of
    another event must not be a close neighbour in the first place, while a rewrite of the same
    event (other words, the same names) keeps its cosine."""
    from digest.dedup.fingerprint import cosine

    aden = dict(sea="Gulf of Aden", ship="INS Tabar", officer="Commander Nirmal Verma", port="Mumbai")
    channel = dict(sea="Mozambique Channel", ship="FS Nivose", officer="Captain Hugues Laine", port="Toulon")
    eng = Engine()
    eng.add(Doc(id="aden", title="Navy foils pirate attack in Gulf of Aden", text=PIRATES.format(**aden)))
    story = [eng.state.stories[eng.story_of("aden")]]
    templated = Doc(id="t", title="Navy foils pirate attack in Mozambique Channel", text=PIRATES.format(**channel))
    rewrite = Doc(id="r", title="Gulf of Aden: INS Tabar drives off pirates", text=(
        "Commander Nirmal Verma said the INS Tabar sent its helicopter when pirates in two speed boats "
        "fired on a grain carrier in the Gulf of Aden. The crew hid in a safe room; the navy in Mumbai "
        "said nobody was hurt and the attackers fled to the coast."))
    for doc, gated in ((templated, True), (rewrite, False)):
        fp = eng.fingerprint(doc)
        vidx, val, _w = eng.state.vector(fp)
        _members, sims = member_cosines(eng.state, vidx, val, story)
        raw = cosine(eng.idf.vector(fp.terms), eng.idf.vector(eng.fingerprint_of("aden").terms))
        assert raw > 0.25
        if gated:
            assert sims[0] < 0.5 * raw
        else:
            assert sims[0] == pytest.approx(raw, rel=1e-6)


def test_story_id_is_first_article_and_order_of_arrival_is_kept() -> None:
    eng = Engine()
    a = eng.add(load("quake_a2"))
    b = eng.add(load("quake_a1"))
    assert a.new_story and not b.new_story
    assert b.story_id == "quake_a2"


def test_wire_copy_with_junk_removed_is_one_story_and_summary_never_leads() -> None:
    eng = Engine()
    full = load("quake_a1", source="wire")
    first_par = full.text.strip().split("\n")[0]
    summary = Doc(id="summary", title=full.title, text=first_par + " …", source="portal", truncated=True, priority=10)
    copy = Doc(id="copy", title=full.title + " | Coast News", text=full.text, source="coast", published=5.0)
    eng.add(summary)
    eng.add(full)
    eng.add(copy)
    sid = eng.story_of("summary")
    assert eng.story_of("quake_a1") == sid and eng.story_of("copy") == sid
    assert eng.lead(sid) != "summary"
    assert eng.scores(sid)["summary"].reason == "truncated summary"


DAY = 86400.0


def test_time_window_closes_a_story_quiet_for_longer() -> None:
    eng = Engine(Params(window=3 * DAY))
    eng.add(load("quake_a1", published=0.0))
    late = eng.add(load("quake_a2", published=10 * DAY))
    assert late.new_story
    # the same pair within the window is one story
    eng = Engine(Params(window=3 * DAY))
    eng.add(load("quake_a1", published=0.0))
    assert not eng.add(load("quake_a2", published=2 * DAY)).new_story


def test_a_developing_story_stays_open_from_its_latest_version() -> None:
    """The window counts from a story's latest version, not its first: a story that keeps
    developing keeps taking follow-ups (counted from the first, day 5 would be closed)."""
    eng = Engine(Params(window=3 * DAY))
    eng.add(load("quake_a1", published=0.0))
    second = eng.add(load("quake_a2", published=2.5 * DAY))
    a2 = load("quake_a2")
    again = eng.add(Doc(id="a2-later", title=a2.title, text=a2.text, published=5 * DAY))
    assert again.story_id == second.story_id == "quake_a1"
    # and an article dated before a story's first version (feeds arrive out of order)
    eng = Engine(Params(window=3 * DAY))
    eng.add(load("quake_a2", published=10 * DAY))
    assert eng.add(load("quake_a1", published=8 * DAY)).story_id == "quake_a2"


def test_links_weaken_with_time_beyond_the_grace() -> None:
    """Evidence weighs how far apart in time two reports are: the same rewrite pair joins
    10 days apart under the default grace, and not when every day past one costs a factor e."""
    eng = Engine()
    eng.add(load("quake_a1", published=0.0))
    assert not eng.add(load("quake_a2", published=10 * DAY)).new_story
    eng = Engine(Params(time_grace=1 * DAY, time_scale=1 * DAY))
    eng.add(load("quake_a1", published=0.0))
    assert eng.add(load("quake_a2", published=10 * DAY)).new_story


def test_a_closed_story_offers_no_neighbour() -> None:
    """Nothing forgets a story: the window closes it.  A rewrite within the window has the
    story's article for its nearest neighbour; the same rewrite after the window has none."""
    eng = Engine(Params(window=3 * DAY))
    eng.add(load("quake_a1", published=0.0))
    eng.add(load("quake_b", published=5 * DAY))
    soon, late = load("quake_a2", published=0.5 * DAY), load("quake_a2", published=10 * DAY)
    assert [d for d, _ in eng.nearest(soon, eng.fingerprint(soon))][:1] == ["quake_a1"]
    assert "quake_a1" not in [d for d, _ in eng.nearest(late, eng.fingerprint(late))]
    assert eng.add(late).new_story


def test_restore_rebuilds_from_stored_fingerprints() -> None:
    eng = Engine()
    d1 = load("quake_a1")
    a = eng.add(d1)
    stored = Fingerprint.from_bytes(eng.fingerprint_of("quake_a1").to_bytes())
    fresh = Engine()
    fresh.restore(d1, stored, a.story_id)
    assert fresh.add(load("quake_a2")).story_id == a.story_id


def test_duplicate_add_is_idempotent() -> None:
    eng = Engine()
    a = eng.add(load("quake_a1"))
    b = eng.add(load("quake_a1"))
    assert a.story_id == b.story_id and len(eng) == 1


def test_engine_keeps_fingerprints_compactly_and_gives_them_back() -> None:
    eng = Engine()
    docs = [load(n) for n in ("quake_a1", "council_a", "quake_b", "quake_a2")]
    fps = {}
    for d in docs:
        fps[d.id] = eng.fingerprint(d)
        eng.add(d, fps[d.id])
    for d in docs:
        back = eng.fingerprint_of(d.id)
        assert back == fps[d.id]  # terms and weights, words, signature
        assert Fingerprint.from_bytes(back.to_bytes()) == fps[d.id]
    # a restored engine gives the same answers for the same stored blobs
    fresh = Engine()
    for d in docs:
        fresh.restore(d, Fingerprint.from_bytes(fps[d.id].to_bytes()), eng.story_of(d.id))
    assert {d.id: fresh.story_of(d.id) for d in docs} == {d.id: eng.story_of(d.id) for d in docs}
    assert fresh.lead(eng.story_of("quake_a1")) == eng.lead(eng.story_of("quake_a1"))
    assert fresh.similarity("quake_a1", "quake_a2") == pytest.approx(eng.similarity("quake_a1", "quake_a2"))


def test_replayed_merge_joins_two_stories_and_keeps_the_older_id() -> None:
    eng = Engine()
    eng.add(load("quake_a1"))
    eng.add(load("council_a"))
    eng.replay_merge("quake_a1", "council_a")
    assert eng.stories() == ["quake_a1"]
    assert sorted(eng.members("quake_a1")) == ["council_a", "quake_a1"]
    assert eng.story_of("council_a") == "quake_a1" and eng.lead("quake_a1") in ("quake_a1", "council_a")
    # the merged story still takes in a rewrite of its event
    assert eng.add(load("quake_a2")).story_id == "quake_a1"


def test_an_engine_rebuilt_from_the_window_holds_only_the_window() -> None:
    """The store rebuilds the engine from the articles of the window (``App.engine``): an
    article left out is in no story, no idf and no proposal, as if never read."""
    eng = Engine(Params(window=3 * DAY))
    old, recent = load("quake_a1", published=0.0), load("quake_b", published=5 * DAY)
    eng.add(old)
    eng.add(recent)
    rebuilt = Engine(Params(window=3 * DAY))
    rebuilt.restore(recent, eng.fingerprint_of("quake_b"), eng.story_of("quake_b"))
    only = Engine(Params(window=3 * DAY))
    only.add(recent)
    assert "quake_a1" not in rebuilt and rebuilt.stories() == ["quake_b"]
    assert rebuilt.idf.n == only.idf.n == 1
    idx = eng.fingerprint_of("quake_a1").vocab_idx()
    assert np.array_equal(rebuilt.idf.idf_idx(idx), only.idf.idf_idx(idx))
    # within quake_a1's window its rewrite would have joined it: now nothing proposes it
    late = load("quake_a2", published=0.5 * DAY)
    assert rebuilt.nearest(late, rebuilt.fingerprint(late)) == []
    assert rebuilt.add(late).new_story


@pytest.mark.parametrize("odd", [256.0, 5001.0, 0.3, 2.5])
def test_weights_beyond_a_byte_are_kept_exactly(odd: float) -> None:
    eng = Engine()
    d = load("quake_a1")
    fp = eng.fingerprint(d)
    heavy = Fingerprint({**fp.terms, 12345: odd, 67890: 255.0}, fp.signature, fp.words)
    eng.restore(d, heavy, "quake_a1")
    back = eng.fingerprint_of("quake_a1")
    assert back.terms == heavy.terms
    assert eng.scores("quake_a1")["quake_a1"].reason == "only version"


def test_a_story_larger_than_the_region_is_joined_through_a_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """A story carried by more outlets than ``Params.region`` is not regrouped whole for every
    new version (its size squared, each time): the new article is clustered with a sample of
    it, joins it when it groups with the sample, and another event still stays apart."""
    import digest.dedup.regrouping as regroup_mod

    sizes: list[int] = []
    real = regroup_mod.average_linkage

    def counting(sim: np.ndarray, threshold: float) -> np.ndarray:
        sizes.append(sim.shape[0])
        return real(sim, threshold)

    monkeypatch.setattr(regroup_mod, "average_linkage", counting)
    eng = Engine(Params(region=20))
    base = load("quake_a1")
    words = base.text.split()
    for i in range(45):  # versions, not copies (a copy of the same text would be silent)
        text = " ".join(f"edit{i}x{j}" if (j + i) % 6 == 0 else w for j, w in enumerate(words))
        eng.add(Doc(id=f"copy{i}", title=base.title, text=text, published=1000.0 + i))
    assert not any(eng.copy_state(f"copy{i}")[1] for i in range(45))  # none silent
    assert len({eng.story_of(f"copy{i}") for i in range(45)}) == 1
    assert max(sizes) <= 20
    other = load("quake_b", published=1100.0)
    eng.add(other)
    assert eng.story_of("quake_b") != eng.story_of("copy0")
    assert max(sizes) <= 20


def test_a_second_large_story_near_an_article_is_tried_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stories of ``Params.region`` clustered articles or more are joined through a sample.
    When the closest story near a new article is large and does not take it, the next one is
    tried the same way (an aftershock's report may be closest to the main quake's story)."""
    import digest.dedup.regrouping as regroup_mod

    council = load("council_a")
    sents = [s for s in council.text.replace("\n", " ").split(". ") if s]
    eng = Engine(Params(region=2))
    quake = ""
    real = regroup_mod.neighbour

    def quake_closest(state: EngineState, num: int, vidx: np.ndarray, val: np.ndarray, sts: list, copies: list[int]) -> list:
        """Once ``quake`` is set, its story is the closest to a new article."""
        near = real(state, num, vidx, val, sts, copies)
        first = state.stories.get(eng.story_of(quake)) if quake else None
        return [first, *(st for st in near if st is not first)] if near and first else near

    monkeypatch.setattr(regroup_mod, "neighbour", quake_closest)
    for d in ("quake_a1", "quake_a2"):
        eng.add(load(d))
    eng.add(Doc("c1", council.title, ". ".join(sents[:4]) + "."))
    eng.add(Doc("c2", "Library rebuild approved: " + council.title, ". ".join(sents[2:]) + "."))
    assert eng.story_of("quake_a2") == eng.story_of("quake_a1") != eng.story_of("c2") == eng.story_of("c1")
    quake = "quake_a1"
    eng.add(Doc("c3", council.title.upper(), ". ".join(sents[1:]) + "."))
    assert eng.story_of("c3") == eng.story_of("c1")
    assert len(eng.members(eng.story_of("quake_a1"))) == 2

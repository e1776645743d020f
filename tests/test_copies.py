"""Copy detection (digest.dedup.copies) and what the engine does with it: summaries and
junk-wrapped copies join their original's story; rewrites and other events never
count as copies; among full copies the cleaner page leads."""

from __future__ import annotations

import numpy as np
import pytest

from digest.dedup.copies import containment, is_copy, sketch
from digest.dedup.engine import Doc, Engine, Params
from digest.dedup.fingerprint import Fingerprint
from digest.dedup.lead_facts import story_facts
from tests.support.stories import load, templated

BODY = (
    "The harbour council voted on Tuesday to close the old Marlow swing bridge for eighteen months "
    "of repairs, after engineers found corrosion in two of its main girders. Ferry operators "
    "said they would add extra crossings during the closure. The mayor, Alys Penrose, called the "
    "decision painful but unavoidable and promised a temporary footbridge by the spring. "
    "Shop owners on Quay Street warned that the detour would cost them customers. "
    "The council will publish the repair contract next week, and work starts in March."
)
REWRITE = (
    "Marlow's swing bridge is shutting for a year and a half. Councillors agreed the closure "
    "on Tuesday once inspectors reported rusting girders. Mayor Alys Penrose said there was no "
    "alternative; a footbridge should open in spring, and ferries will run more often. Traders "
    "in Quay Street fear losing trade while the repair, due to begin in March, goes on."
)
OTHER_EVENT = (
    "The harbour council voted on Tuesday to raise parking charges on the seafront by a fifth "
    "from April, after a review found the car parks ran at a loss. Residents' groups said the "
    "rise would push visitors to park in side streets. The mayor defended the plan."
)


def test_a_summary_and_a_wrapped_copy_are_copies() -> None:
    full = sketch(BODY, "Marlow bridge to close for repairs")
    summary = sketch(BODY[:230] + "…", "Marlow bridge to close for repairs | Coast Times")
    wrapped = sketch("Share this article\n" + BODY.replace("'", "’") + "\nLeave a reply", "MARLOW BRIDGE TO CLOSE")
    assert is_copy(full, summary) and is_copy(summary, full)
    assert is_copy(full, wrapped)
    assert containment(full, wrapped) > 0.8


def test_rewrites_and_other_events_are_not_copies() -> None:
    full = sketch(BODY, "Marlow bridge to close for repairs")
    assert not is_copy(full, sketch(REWRITE, "Marlow bridge shuts for 18 months"))
    # same opening words ("The harbour council voted on Tuesday to"), another event: the
    # opening keys (eight words) differ and few shingles are shared
    other = sketch(OTHER_EVENT, "Seafront parking charges to rise")
    assert not set(full.keys) & set(other.keys)
    assert containment(full, other) < 0.2
    assert not is_copy(full, other)


def test_a_headline_is_never_evidence() -> None:
    assert len(sketch("Bridge closes.", "Bridge closes")) == 0
    assert not is_copy(sketch("Bridge closes.", "Bridge"), sketch(BODY))


def test_opening_keys_find_a_summary_and_forget() -> None:
    """The engine's copy lookup (opening keys -> article numbers) finds the full text from its
    opening, not from a rewrite, and forgets a discarded article."""
    from digest.dedup.index import KeyMultiMap

    def keys(text: str) -> np.ndarray:
        return np.array(sketch(text).keys, dtype=np.uint64)

    lookup = KeyMultiMap()
    lookup.add(sketch(BODY).keys, 7)
    assert np.unique(lookup.query(keys(BODY[:200]))).tolist() == [7]
    assert lookup.query(keys(REWRITE)).tolist() == []
    lookup.discard(7)
    assert lookup.query(keys(BODY[:200])).tolist() == []


def test_engine_joins_a_one_sentence_summary_to_its_original_in_either_order() -> None:
    first_sentence = BODY.split(". ")[0] + "."
    for order in (("full", "summary"), ("summary", "full")):
        eng = Engine()
        docs = {
            "full": Doc("full", "Marlow bridge to close for repairs", BODY, source="A"),
            "summary": Doc("summary", "Marlow bridge to close for repairs - B News", first_sentence,
                           source="B", truncated=True),
        }
        for name in order:
            eng.add(docs[name])
        assert eng.story_of("full") == eng.story_of("summary"), order
        assert eng.lead(eng.story_of("full")) == "full"


def test_the_cleaner_copy_leads_and_other_events_stay_apart() -> None:
    eng = Engine()
    padded = BODY + "\nRead more: Ten things to do in Marlow this weekend. Follow us for daily news updates."
    eng.add(Doc("padded", "Marlow bridge to close", padded, source="Junk Daily", junk=400))
    eng.add(Doc("clean", "Marlow bridge to close for repairs", BODY, source="Wire"))
    eng.add(Doc("other", "Seafront parking charges to rise", OTHER_EVENT, source="Wire"))
    sid = eng.story_of("clean")
    assert eng.story_of("padded") == sid and eng.story_of("other") != sid
    assert eng.lead(sid) == "clean"


def test_restored_articles_still_catch_their_copies() -> None:
    """After a restart the engine is rebuilt from the store: a summary arriving then
    must still find its original."""
    first = Engine()
    full = Doc("full", "Marlow bridge to close for repairs", BODY, source="A")
    first.add(full)
    fp, sid = first.fingerprint_of("full"), first.story_of("full")
    again = Engine()
    again.restore(full, fp, sid)
    again.add(Doc("summary", "Marlow bridge to close | B", BODY.split(". ")[0] + ".", source="B", truncated=True))
    assert again.story_of("summary") == sid


# -- silent copies and copy groups in the engine ---------------------------------------------


def test_copy_lookup_checks_only_recent_articles_in_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many articles open with the same sentence (a site's template): the copy lookup checks at
    most the most recent ``BUCKET_CAP`` of each opening key, and none outside the time window,
    so its cost does not grow with the stream; a copy of a recent article is still found."""
    import digest.dedup.engine as engine_mod
    import digest.dedup.silent as silent_mod

    monkeypatch.setattr(silent_mod, "BUCKET_CAP", 5)
    opening = "The city council met on Tuesday evening to hear the latest quarterly report from staff."
    towns = ["Arlen", "Brisco", "Calder", "Dunmore", "Elsworth", "Fairlie", "Glenroy", "Hartwell",
             "Ivybridge", "Jarrow", "Kelso", "Lanark", "Moffat", "Nairn", "Oban", "Peebles",
             "Quorn", "Rothes", "Selkirk", "Tain"]

    def doc(i: int, published: float) -> Doc:
        town = towns[i % len(towns)]
        body = (f"{opening} {town} officials said the {town} budget for roads and parks was on track. "
                f"Residents of {town} asked about parking near the {town} market and the library hours. "
                f"The {town} mayor promised an answer at the next meeting in {town} town hall.")
        return Doc(id=f"a{i}", title=f"{town} council hears report", text=body, published=published)

    eng = Engine()
    for i in range(20):
        eng.add(doc(i, published=1000.0 + i))
    checked: list[int] = []
    real = eng.state.sketch_of

    def counting(num: int) -> object:
        checked.append(num)
        return real(num)

    monkeypatch.setattr(eng.state, "sketch_of", counting)
    copy = doc(19, published=1100.0)
    assert eng.add(Doc(id="copy", title=copy.title, text=copy.text, published=1100.0)).story_id == eng.story_of("a19")
    keys = len(engine_mod.sketch(copy.text, copy.title).keys)
    assert 0 < len(checked) <= 5 * keys < 20
    checked.clear()
    late = doc(3, published=1100.0 + 31 * 86400.0)  # a month later: every story is closed
    eng.add(Doc(id="late", title=late.title, text=late.text, published=late.published))
    assert checked == []


def test_copies_of_one_text_do_not_change_how_rewrites_group() -> None:
    """Thirty outlets carrying one wire text must not keep a rewrite of the same event out
    of its story: with every copy in the neighbour lists, the lists hold only copies, and a
    rewrite shares no neighbour with them.  A copy of the same text is silent instead: it
    joins its story, is nobody's neighbour, and the stories around it group as with one."""
    def run(copies: int) -> Engine:
        eng = Engine()
        eng.add(load("quake_a1"))
        eng.add(load("council_a"))
        base = load("quake_a1")
        for i in range(copies):
            eng.add(Doc(id=f"wire{i}", title=base.title, text=base.text, source=f"site{i}"))
        for name in ("quake_b", "quake_a2", "council_b"):
            eng.add(load(name))
        return eng

    alone, carried = run(0), run(30)
    for eng in (alone, carried):
        assert eng.story_of("quake_a2") == eng.story_of("quake_a1")
        assert eng.story_of("quake_b") != eng.story_of("quake_a1")
        assert len({eng.story_of(d) for d in ("quake_a1", "council_a", "council_b", "quake_b")}) == 4
    assert {carried.story_of(f"wire{i}") for i in range(30)} == {carried.story_of("quake_a1")}
    # the copies are nobody's neighbour, and their words count once in the idf
    near = [doc_id for doc_id, _ in carried.nearest(load("quake_a2"), carried.fingerprint(load("quake_a2")))]
    assert "quake_a1" in near and not any(d.startswith("wire") for d in near)
    assert carried.idf.n == alone.idf.n
    assert carried.pair_link("quake_a2", "quake_a1") == alone.pair_link("quake_a2", "quake_a1")


def test_a_copy_that_adds_something_is_clustered_itself() -> None:
    """A copy of the same text, or a truncated feed summary of a known text, adds nothing and
    is silent; a shorter version that is not cut (other outlets' edit) keeps its own place."""
    eng = Engine()
    base = load("quake_a1")
    eng.add(base)
    opening = ". ".join(base.text.split(". ")[:2]) + "."
    eng.add(Doc(id="summary", title=base.title, text=opening, truncated=True, source="feed"))
    eng.add(Doc(id="short", title=base.title, text=opening, source="edit"))
    eng.add(Doc(id="same", title=base.title, text=base.text, source="other"))
    silent = {d: eng.copy_state(d)[1] for d in ("quake_a1", "summary", "short", "same")}
    assert silent == {"quake_a1": False, "summary": True, "short": False, "same": True}
    assert len(set(map(eng.story_of, silent))) == 1


SITE_LINES = [
    "Related: Council approves new budget for parks", "Most read: Harbour festival draws record crowds",
    "Sign up for our morning newsletter", "Follow us on Facebook and X", "Share this story",
    "Related: Mayor opens new library wing downtown", "Most read: Ferry timetable changes next month",
    "Comments are closed", "Advertisement", "Related: School board elects new chair",
    "Trending: Bakery wins regional bread award", "Related: Night bus routes to be extended",
]


def test_a_copy_padded_with_site_lines_adds_nothing_but_one_with_another_report_does() -> None:
    """The same text with site lines the cleaner left around it (headlines, prompts) is silent:
    it would take neighbour slots for nothing.  The same text followed by another report adds
    that report and keeps its own place.  Both stay in the story of the text they copy."""
    base, other = load("quake_a1"), load("council_a")
    eng = Engine()
    eng.add(base)
    padded = base.text + "\n" + "\n".join(SITE_LINES)
    eng.add(Doc(id="padded", title=base.title, text=padded, source="s1", junk=400))  # the cleaner took some
    eng.add(Doc(id="more", title=base.title, text=base.text + "\n" + other.text, source="s2"))
    assert eng.similarity("quake_a1", "padded") < 0.95  # not the same text word for word
    assert {d: eng.copy_state(d) for d in ("quake_a1", "padded", "more")} == {
        "quake_a1": ("quake_a1", False), "padded": ("quake_a1", True), "more": ("quake_a1", False),
    }
    assert len({eng.story_of(d) for d in ("quake_a1", "padded", "more")}) == 1


def test_a_full_text_after_its_summary_and_a_clean_update_keep_their_place() -> None:
    """Padding is told from content by where the text comes from: a full text that arrives
    after its feed summary adds the rest of the story, and an update from a page the cleaner
    found no junk on (a new paragraph) adds that paragraph; neither is silent, even where
    its cosine to what it copies reaches ``PADDED_TEXT``."""
    from digest.dedup.params import PADDED_TEXT

    base = load("quake_a1")
    sents = base.text.split(". ")
    eng = Engine()
    eng.add(Doc("summary", base.title, ". ".join(sents[:3]) + ".", source="feed", truncated=True))
    eng.add(Doc("full", base.title, base.text, source="site", junk=250))
    update = base.text + "\n" + (
        "Aftershocks of magnitude 4 were felt through the night and schools stay shut on Friday. "
        "Engineers inspecting the harbour wall found cracks along forty metres of the breakwater. "
        "The regional council opened two evacuation centres in community halls. "
        "Farmers reported broken water troughs and fences across the district. "
        "Insurers said claims could run into the millions.")
    eng.add(Doc("update", base.title, update, source="wire"))
    assert eng.similarity("summary", "full") >= PADDED_TEXT
    assert eng.similarity("full", "update") >= PADDED_TEXT
    assert eng.copy_state("full") == ("summary", False)
    assert eng.copy_state("update") == ("summary", False)
    assert len({eng.story_of(d) for d in ("summary", "full", "update")}) == 1


def test_a_restored_engine_has_the_same_silent_copies_as_the_live_one() -> None:
    """The store gives articles back after a restart; a copy is silent after the restore
    exactly when it was live, also when its text sits in a story outside the time window."""
    day = 86400.0
    base = load("quake_a1")
    docs = [
        Doc("A", base.title, base.text, source="s0", published=0.0),
        Doc("B", base.title, base.text, source="s1", published=4 * day),  # A's story is closed
        Doc("C", base.title, base.text, source="s2", published=4.1 * day),
        load("quake_a2", published=4.2 * day),
    ]
    live = Engine(Params(window=3 * day))
    for d in docs:
        live.add(d)
    fresh = Engine(Params(window=3 * day))
    for d in docs:
        fresh.restore(d, Fingerprint.from_bytes(live.fingerprint_of(d.id).to_bytes()), live.story_of(d.id))
    for eng in (live, fresh):
        assert {d.id: eng.copy_state(d.id) for d in docs} == {
            "A": (None, False), "B": ("B", False), "C": ("B", True), "quake_a2": (None, False),
        }
        assert eng.idf.n == 3 and eng.story_of("C") == eng.story_of("B") != eng.story_of("A")


def test_silent_copies_do_not_make_a_story_large() -> None:
    """A story is settled (joined through a sample, never split) once it has ``Params.region``
    clustered articles; its silent copies are not clustered, so a dozen of them change nothing
    around it."""
    a1 = load("quake_a1")
    half = a1.text.split(". ")
    h1 = Doc("h1", a1.title, ". ".join(half[: len(half) // 2]) + ".")
    rest = [Doc("h2", "Aftershocks " + a1.title, ". ".join(half[len(half) // 2 :])),
            load("quake_a2"), load("quake_b"), templated(a1, "tmpl"), load("council_a")]

    def partition(copies: int) -> set[frozenset[str]]:
        eng = Engine(Params(region=6))
        eng.add(h1)
        for i in range(copies):
            eng.add(Doc(f"w{i}", h1.title, h1.text, source=f"s{i}"))
        for d in rest:
            eng.add(d)
        ids = [h1.id] + [d.id for d in rest]
        return {frozenset(i for i in ids if eng.story_of(i) == s) for s in {eng.story_of(i) for i in ids}}

    assert partition(12) == partition(0)


def test_a_copy_group_outlives_its_label() -> None:
    """A copy group is labelled by one of its articles; an engine rebuilt without that one (it
    left the window) while other copies live on in an open story labels the group by one of
    them."""
    base = load("quake_a1")
    sents = base.text.split(". ")
    eng = Engine()
    eng.add(Doc("A", base.title, base.text, published=0.0))
    summaries = [
        Doc(f"S{k}", base.title, ". ".join(sents[:k]) + ".", truncated=True, published=10.0 * k) for k in (2, 3)
    ]
    for d in summaries:
        eng.add(d)
    assert {eng.copy_state(d)[0] for d in ("A", "S2", "S3")} == {"A"}
    rebuilt = Engine()  # the summaries, which another worker moved to a story of their own
    for d in summaries:
        rebuilt.restore(d, eng.fingerprint_of(d.id), "elsewhere")
    assert "A" not in rebuilt
    label = rebuilt.copy_state("S2")[0]
    assert label in ("S2", "S3") and rebuilt.copy_state("S3")[0] == label
    assert sorted(story_facts(rebuilt.state, rebuilt.state.stories["elsewhere"]).copies) == [label, label]

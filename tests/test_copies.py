"""Copy detection (digest.dedup.copies) and what the engine does with it: summaries and
junk-wrapped copies join their original's story; rewrites and other events never
count as copies; among full copies the cleaner page leads."""

from __future__ import annotations

import numpy as np

from digest.dedup.copies import containment, is_copy, sketch
from digest.dedup.engine import Doc, Engine

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

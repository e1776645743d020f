"""The dedup engine on fixtures written for this project (pure: no disk, no network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.choose import Version, choose_lead
from digest.engine import Doc, Engine
from digest.fingerprint import Fingerprint, IdfModel, fingerprint, signature, term_weights

FIX = Path(__file__).parent / "fixtures" / "stories"


def load(name: str, **kw: object) -> Doc:
    title, _, body = (FIX / f"{name}.txt").read_text(encoding="utf-8").partition("\n")
    return Doc(id=name, title=title, text=body, **kw)  # type: ignore[arg-type]


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


def test_time_window_keeps_old_story_closed() -> None:
    eng = Engine()
    eng.add(load("quake_a1", published=0.0))
    late = eng.add(load("quake_a2", published=10 * 86400.0))
    assert late.new_story


def test_expire_forgets_old_stories() -> None:
    eng = Engine()
    eng.add(load("quake_a1", published=0.0))
    eng.add(load("quake_b", published=5 * 86400.0))
    gone = eng.expire(before=86400.0)
    assert gone == ["quake_a1"]
    assert "quake_a1" not in eng and "quake_b" in eng


def test_restore_rebuilds_from_stored_fingerprints() -> None:
    eng = Engine()
    d1 = load("quake_a1")
    a = eng.add(d1)
    stored = Fingerprint.from_bytes(eng.fingerprint_of("quake_a1").to_bytes())
    fresh = Engine()
    fresh.restore(d1, stored, a.story_id)
    assert fresh.add(load("quake_a2")).story_id == a.story_id


def test_fingerprint_roundtrip_and_minhash_is_datasketch() -> None:
    fp = fingerprint("Kim to meet Putin", "Kim Jong Un will travel to Vladivostok by armoured train.")
    back = Fingerprint.from_bytes(fp.to_bytes())
    assert back.terms == pytest.approx(fp.terms)
    assert (back.signature == fp.signature).all()
    assert back.words == fp.words
    assert fp.minhash().jaccard(back.minhash()) == 1.0
    # near-identical sets estimate high, disjoint sets low
    a, b, c = signature(range(100)), signature(range(5, 105)), signature(range(1000, 1100))
    assert (a == b).mean() > 0.75 and (a == c).mean() < 0.1


def test_names_weigh_more_than_sentence_initial_capitals() -> None:
    w = term_weights("", "Officials met. Reid entered rehab. The clinic said Reid was well.")
    assert w["@reid"] > w["rehab"]
    assert w["official"] == 1.0  # sentence-initial: not a name
    headline = term_weights("Star Enters Rehab Clinic In Malibu", "")
    assert headline["rehab"] == headline["malibu"]  # headline case carries no name signal


def test_idf_prior_makes_rare_words_weigh_more_from_the_first_article() -> None:
    from digest.fingerprint import NAME_BIT, term_id

    idf = IdfModel()
    assert idf.idf(term_id("vladivostok")) > idf.idf(term_id("people")) > 0
    # a name and the same word in lower case share the prior
    assert idf.idf(term_id("people") | NAME_BIT) == idf.idf(term_id("people"))


def test_choose_lead_prefers_complete_then_priority_then_earliest() -> None:
    idf = IdfModel(prior_docs=0)
    terms = {1: 1.0, 2: 1.0, 3: 1.0}
    v = [
        Version("short", "a", {1: 1.0}, words=40),
        Version("full-late", "b", terms, words=300, published=20.0),
        Version("full-early", "c", terms, words=298, published=10.0),
        Version("cut", "d", terms, words=400, truncated=True),
    ]
    lead, scores = choose_lead(v, idf)
    assert lead == "full-early"
    assert scores["cut"].reason == "truncated summary"
    v[1] = Version("full-late", "b", terms, words=300, published=20.0, priority=5)
    assert choose_lead(v, idf)[0] == "full-late"


def test_duplicate_add_is_idempotent() -> None:
    eng = Engine()
    a = eng.add(load("quake_a1"))
    b = eng.add(load("quake_a1"))
    assert a.story_id == b.story_id and len(eng) == 1


def test_copy_with_residual_junk_never_leads_over_the_clean_original() -> None:
    idf = IdfModel()
    body = term_weights("", (FIX / "quake_a1.txt").read_text(encoding="utf-8"))
    from digest.fingerprint import term_id

    clean = {term_id(t): w for t, w in body.items()}
    junk = dict(clean)
    for word in "comment form email website notify subscribe trending newsletter".split():
        junk[term_id(word)] = 1.0
    rewrite = {t: w for i, (t, w) in enumerate(clean.items()) if i % 3}
    versions = [
        Version("junky-copy", "b", junk, words=230, published=1.0, priority=5),
        Version("original", "a", clean, words=218, published=2.0),
        Version("rewrite", "c", rewrite, words=190, published=0.5),
    ]
    lead, scores = choose_lead(versions, idf)
    assert lead == "original"
    assert scores["junky-copy"].score <= scores["original"].score * 1.05

"""Choosing the lead among versions of one story (pure: arrays in, a position out)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digest.dedup.fingerprint import IdfModel
from digest.dedup.lead import Facts, pick, scores, superseded
from digest.dedup.terms import NAME_BIT, term_id, term_weights
from tests.support.reference import Version, choose_lead

FIX = Path(__file__).parent / "fixtures" / "stories"


def facts(ids: list[str], words: list[float], *, unshared: list[float] | None = None,
          cov: list[float] | None = None, copies: list[str | None] | None = None,
          junk: list[int] | None = None, extra: list[float] | None = None,
          truncated: list[bool] | None = None) -> Facts:
    n = len(ids)
    return Facts(
        ids=ids,
        words=np.array(words, dtype=np.float64),
        truncated=np.array(truncated or [False] * n),
        priority=np.zeros(n),
        published=np.full(n, np.nan),
        junk=np.array(junk or [0] * n, dtype=np.int64),
        copies=copies or [None] * n,
        cov=np.array(cov or [1.0] * n),
        unshared=np.array(unshared or [0.0] * n),
        extra=np.array(extra or [0.0] * n),
    )


def lead_of(f: Facts) -> str:
    return f.ids[pick(f)[0]]


def test_a_dateline_the_cleaner_cut_from_a_junky_copy_does_not_make_it_the_cleaner_version() -> None:
    # the original kept "Dec. 18 - 11:14 pm et" (5 words no other version has); the
    # copy's page had 670 characters of junk cut, and the dateline with it
    f = facts(["original", "copy"], [129, 124], copies=["g", "g"], junk=[0, 670],
              extra=[5, 0], unshared=[5 / 129, 0])
    assert lead_of(f) == "original"


def test_residual_junk_in_a_copy_still_loses_when_the_cleanest_page_had_nothing_cut() -> None:
    f = facts(["junky", "original"], [136, 129], copies=["g", "g"], junk=[670, 0],
              extra=[7, 0], unshared=[7 / 136, 0])
    assert lead_of(f) == "original"
    # the same few words, but now the cleanest page is one the cleaner cut: noise
    f = facts(["junky", "original"], [136, 129], copies=["g", "g"], junk=[670, 300],
              extra=[7, 0], unshared=[7 / 136, 0])
    assert lead_of(f) == "original"  # the page with less junk


def test_an_opening_only_copy_not_marked_truncated_does_not_lead() -> None:
    # a feed summary of the first two sentences (91 of 124 words, no "..."):
    # it has no unshared words only because it lacks the rest
    f = facts(["summary", "original"], [91, 124], copies=["g", "g"], cov=[0.89, 1.0],
              extra=[0, 6], unshared=[0, 6 / 124])
    assert lead_of(f) == "original"


def test_copies_of_a_version_in_the_tie_band_are_in_it_too() -> None:
    # a rewrite scores best; a junky copy of the original is within 5% of it
    # (its junk words add a little) but the original just outside: the original
    # is as complete as its copy, and its page is clean
    f = facts(["rewrite", "copy", "original"], [250, 222, 210], copies=[None, "g", "g"],
              cov=[0.89, 0.95, 0.95], junk=[0, 800, 0], unshared=[0.1, 0.05, 0.0],
              extra=[70, 11, 0])
    raw = pick(f)[1]
    best = raw.max()
    assert raw[1] >= 0.95 * best > raw[2]
    assert lead_of(f) == "original"


def _ids(terms: dict[str, float]) -> dict[int, float]:
    return {(term_id(t[1:]) | NAME_BIT) if t[0] == "@" else term_id(t): w for t, w in terms.items()}


def test_a_word_written_as_a_name_in_one_copy_and_plain_in_another_is_one_word() -> None:
    """Reflowed lines put names at line starts (not names there): that is not missing content."""
    text = (FIX / "quake_a1.txt").read_text(encoding="utf-8")
    original = term_weights("", text)
    names = [t for t in original if t.startswith("@")][:4]
    assert len(names) == 4
    copy = dict(original)
    for t in names:
        copy[t[1:]] = copy.pop(t) / 5.0  # the same words, at line starts
    versions = [
        Version("copy", "b", _ids(copy), words=218, junk=400, copies="g"),
        Version("original", "a", _ids(original), words=218, copies="g"),
        Version("summary", "c", _ids(dict(list(original.items())[:12])), words=30, truncated=True),
    ]
    lead, scores = choose_lead(versions, IdfModel())
    assert lead == "original"
    assert abs(scores["copy"].score - scores["original"].score) <= 0.02 * scores["original"].score


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


def test_copy_with_residual_junk_never_leads_over_the_clean_original() -> None:
    idf = IdfModel()
    body = term_weights("", (FIX / "quake_a1.txt").read_text(encoding="utf-8"))
    from digest.dedup.terms import term_id

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


def test_an_outlets_opening_only_copy_does_not_supersede_its_article() -> None:
    """One outlet's versions in arrival order (``lead.superseded``): a full revision (a figure
    corrected, cosine 0.96) supersedes the earlier article; its opening alone, a cut summary or
    a follow-up (another text) does not; without times the arrival order decides, and a later
    publication time wins over arrival."""
    nan = np.nan

    def of(published: list[float], words: list[float], cos: float, truncated: bool = False) -> list[bool]:
        pair = np.array([[1.0, cos], [cos, 1.0]])
        return superseded(np.array(published), np.array([False, truncated]), np.array(words), pair).tolist()

    assert of([0, 3600], [300, 310], 0.96) == [True, False]
    assert of([nan, nan], [300, 310], 0.96) == [True, False]
    assert of([3600, 0], [300, 310], 0.96) == [False, True]  # the first to arrive was published later
    assert of([0, 3600], [300, 40], 0.9) == [False, False]  # the opening alone, not marked truncated
    assert of([0, 3600], [300, 300], 0.96, truncated=True) == [False, False]
    assert of([0, 3600], [300, 250], 0.70) == [False, False]  # a follow-up: another text


def test_a_superseded_version_neither_leads_nor_ties_through_its_copies() -> None:
    """The outlet's first report (longer, earliest) and its correction, copies of one text: the
    copy tie would bring the first report back into the band; it is out of the choice, and
    another outlet's version still competes on completeness."""
    f = facts(["first", "fixed", "other"], [320, 300, 150], copies=["first", "first", None])
    assert lead_of(f) == "first"
    f = Facts(**{**{k: getattr(f, k) for k in Facts.__slots__ if k != "superseded"},
                 "superseded": np.array([True, False, False])})
    assert lead_of(f) == "fixed"
    assert scores(f, *pick(f))["first"].reason == "revised later by its outlet"
    longer = facts(["first", "fixed", "other"], [320, 300, 600])
    longer = Facts(**{**{k: getattr(longer, k) for k in Facts.__slots__ if k != "superseded"},
                      "superseded": np.array([True, False, False])})
    assert lead_of(longer) == "other"

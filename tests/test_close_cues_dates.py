"""The month-day cue of ``benchmarks.close_cues`` and its refinements measured at stop 60
(issue #19): a dateline's day is not read, a pair published far apart is not flagged, and
month-days a day or two apart can be let pass."""

import pytest

import benchmarks.close_cues as cc

CAPTION = {"title": "Father and two children found dead", "published": "2015-08-27T11:00:00Z",
           "text": "Three bodies were found in a home in Henry County Thursday , August 27 , 2015 ."}
DATELINE = {"title": "Police discover 3 bodies", "published": "2015-08-27T13:28:00Z",
            "text": "HENRY COUNTY , Ind. ( Aug. 28 , 2015 ) – Officials are investigating."}
LATER = {"title": "Teen shot", "published": "2015-09-02T09:00:00Z", "text": "It happened on Aug. 28 ."}


@pytest.fixture(autouse=True)
def _defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("NO_DATELINE", False), ("WITHIN", 0.0), ("TOLERANCE", 0)):
        monkeypatch.setattr(cc, name, value)


def _flagged(a: dict[str, str], b: dict[str, str]) -> bool:
    fa, fb = cc.features("dates", a, 400), cc.features("dates", b, 400)
    return bool(fa and fb and cc.conflict("dates", fa, fb))


def test_a_dateline_is_read_unless_told_not_to() -> None:
    assert _flagged(CAPTION, DATELINE)
    cc.NO_DATELINE = True
    assert cc.features("dates", DATELINE, 400) is None
    assert not _flagged(CAPTION, DATELINE)


def test_only_pairs_published_close_are_flagged() -> None:
    assert _flagged(CAPTION, LATER)
    cc.WITHIN = 3.0
    assert not _flagged(CAPTION, LATER)
    assert _flagged(CAPTION, {**LATER, "published": "2015-08-29T09:00:00Z"})


def test_a_tolerance_lets_a_day_pass() -> None:
    assert cc.day_gap((12, 31), (1, 1)) == 1
    cc.TOLERANCE = 1
    assert not _flagged(CAPTION, DATELINE)
    assert _flagged(CAPTION, {**LATER, "text": "It happened on Aug. 30 ."})


# the day cue (stop 64): the opening's first day word, resolved against the publication time
ARREST = {"title": "Jackson arrested on DUI charge", "published": "2009-01-13T18:00:00Z",  # a Tuesday
          "text": "Vincent Jackson was arrested early Tuesday on suspicion of drunken driving."}
FOLLOW = {"title": "Jackson arrested", "published": "2009-01-14T09:00:00Z",  # a Wednesday
          "text": "Vincent Jackson was arrested yesterday on suspicion of drunken driving."}
SECOND = {"title": "Jackson arrested", "published": "2009-02-02T09:00:00Z",  # a Monday
          "text": "Vincent Jackson was arrested early Sunday on suspicion of drunken driving."}


def _days(a: dict[str, str], b: dict[str, str]) -> bool:
    fa, fb = cc.features("days", a, 600), cc.features("days", b, 600)
    return bool(fa and fb and cc.conflict("days", fa, fb))


def test_the_day_cue_resolves_each_day_word_against_its_own_publication() -> None:
    assert cc.features("days", ARREST, 600) == cc.features("days", FOLLOW, 600)  # Tuesday = yesterday
    assert not _days(ARREST, FOLLOW)
    assert _days(ARREST, SECOND)  # a Tuesday against a Sunday three weeks on
    assert cc.features("days", {**SECOND, "text": "No day named."}, 600) is None
    assert cc.features("days", {"title": "t", "text": "early Sunday"}, 600) is None  # undated (--count)
    cc.TOLERANCE = 30
    assert not _days(ARREST, SECOND)

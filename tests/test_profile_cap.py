"""The neighbour-profile cap (``digest.dedup.caps.profile_cap``): two concurrent events of
one kind, few reports each, stay apart; rewrites of one event and a developing story do not."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np

from digest.dedup.caps import profile_cap
from digest.dedup.engine import Doc, Engine, Params
from tests.support.stories import load, stories_in_order

#: Two matches of one club three days apart, three reports each (rewrites, not copies): the
#: club, its manager, its ground and two of its players are named in all six.
SATURDAY = ("rovers_a1", "rovers_a2", "rovers_a3")
TUESDAY = ("rovers_b1", "rovers_b2", "rovers_b3")
DAY = 86400.0
T0 = 1_780_000_000.0


def _dated(name: str, days: float, hour: int) -> Doc:
    return replace(load(name), published=T0 + days * DAY + hour * 3600.0)


def test_two_matches_of_one_club_stay_two_stories_in_every_order() -> None:
    """In a young store every report is every other's neighbour, so shared neighbours say 1 for
    a Saturday report and a Tuesday one as for two rewrites of one match; the names cap does
    not part them either (the club, its manager and players are in all six).  What tells them
    apart: each report is close to its own match's other reports and far from the other
    match's.  Without the cap (profile_size=0) all six are one story."""
    docs = [_dated(n, 0, 17 + i) for i, n in enumerate(SATURDAY)]
    docs += [_dated(n, 3, 21 + i) for i, n in enumerate(TUESDAY)]
    want = {frozenset(SATURDAY), frozenset(TUESDAY)}
    for seed in range(12):
        assert stories_in_order(docs, Params(), seed) == want, seed
    assert stories_in_order(docs, Params(profile_size=0), 0) == {frozenset(SATURDAY + TUESDAY)}


def test_undated_reports_are_compared_too() -> None:
    docs = [load(n) for n in SATURDAY + TUESDAY]
    assert stories_in_order(docs, Params(), 1) == {frozenset(SATURDAY), frozenset(TUESDAY)}


def _cap(docs: list[Doc], params: Params | None = None) -> np.ndarray:
    eng = Engine(params or Params())
    for d in docs:
        eng.add(d)
    nums = np.array([eng.state.num[d.id] for d in docs], dtype=np.int32)
    return profile_cap(eng.state, nums)


def test_the_cap_falls_across_the_events_and_not_within_them() -> None:
    cap = _cap([_dated(n, 0, 17) for n in SATURDAY] + [_dated(n, 3, 21) for n in TUESDAY])
    assert np.all(cap[:3, :3] == 1.0) and np.all(cap[3:, 3:] == 1.0)  # rewrites: no cap
    assert cap[:3, 3:].max() < 0.5
    assert np.array_equal(cap, cap.T)


def test_no_contrast_is_read_across_more_than_the_time_grace() -> None:
    """A report and others published weeks later are close to different third articles when
    the story developed (the first report of a shooting, its follow-ups on the arrest): two
    events of one kind are told apart by their profiles only when they are concurrent."""
    later = Params().time_grace / DAY + 1
    cap = _cap([_dated(n, 0, 17) for n in SATURDAY] + [_dated(n, later, 21) for n in TUESDAY])
    assert np.all(cap == 1.0)


def test_too_few_third_articles_are_no_evidence() -> None:
    """With only two third articles, a correlation is always +1 or -1: no evidence below
    ``profile_thirds``."""
    pair = [_dated("rovers_a1", 0, 17), _dated("rovers_b1", 3, 21), _dated("rovers_a2", 0, 18),
            _dated("rovers_b2", 3, 22)]
    assert np.all(_cap(pair) == 1.0)  # two thirds each
    assert _cap(pair, Params(profile_thirds=2))[0, 1] < 1.0


def test_versions_of_one_text_count_once_among_the_third_articles() -> None:
    """An outlet's revision of its report (its entry updated in place) is a second version of one
    text: as two third articles it made evidence where two thirds are none (the user's walkthrough:
    a story of three outlets shown on day 1 was read as two events on day 2, its revision and
    one more report in the region)."""
    pair = [_dated("rovers_a1", 0, 17), _dated("rovers_b1", 3, 21), _dated("rovers_a2", 0, 18),
            _dated("rovers_b2", 3, 22)]
    a2 = pair[2]
    revision = replace(a2, id="rovers_a2~r001", revises=a2.id,
                       text=a2.text + "\n\nUpdate: the club said the injured defender will miss two matches.")
    assert np.all(_cap(pair) == 1.0)  # two thirds each: no evidence
    assert _cap([*pair, revision])[0, 1] == 1.0  # a2 and its revision: one third
    assert _cap([*pair, revision], Params(profile_thirds=2))[0, 1] < 1.0  # the contrast is there


def test_explain_shows_the_link_the_regrouping_used() -> None:
    """``digest explain`` reads ``Engine.pair_link``: its cosine cap holds the profile cap, so
    the link it shows is the one that kept the two matches apart."""
    eng = Engine(Params())
    for d in [_dated(n, 0, 17) for n in SATURDAY] + [_dated(n, 3, 21) for n in TUESDAY]:
        eng.add(d)
    shared, cap, link = eng.pair_link("rovers_a1", "rovers_b1")
    assert shared == 1.0 and link == cap < Params().shared
    assert eng.pair_link("rovers_a1", "rovers_a2")[2] >= Params().shared


#: Light edits an outlet makes to a wire report (``rovers_a1``): each version takes one to three.
EDITS = [
    ("came from behind to beat", "fought back to defeat"),
    ("eight minutes from time", "with eight minutes left"),
    ("after a defensive mix-up just before half-time", "following a defensive error shortly before the interval"),
    ("levelled with a header from a corner on the hour", "equalised on the hour, heading in a corner"),
    ("Pryce said his side had shown character.", "Pryce praised his players' character."),
    ("lifts Rovers to fourth in the table", "moves Rovers up to fourth"),
]


def test_versions_of_one_text_are_not_capped() -> None:
    """Versions of one report lightly edited are all close to one another (cosine 0.9 and
    more): their profiles are flat, and the correlation of two flat profiles is noise's, as
    often -1 as +1.  Such a pair (``profile_alike``) gets no cap; without that, most of these
    regions had a pair capped near 0 (a review's probe)."""
    base = load("rovers_a1")
    capped = 0
    for seed in range(8):
        rng = random.Random(seed)
        docs = []
        for i in range(rng.randint(5, 7)):
            text = base.text
            for old, new in rng.sample(EDITS, rng.randint(1, 3)):
                text = text.replace(old, new)
            docs.append(Doc(id=f"v{i}", title=base.title, text=text))
        assert np.all(_cap(docs) == 1.0), seed
        capped += bool(_cap(docs, Params(profile_alike=1.0)).min() < 0.5)
    assert capped >= 4

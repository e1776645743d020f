"""The time of day at the group (``digest.dedup.storyclock``, ``Params.story_clock_factor``, stop
65, issue #19): a report whose stated time most of its group's stating reports contradict is
parted from the group; a report stating none never is, nor is anyone in a group of too few."""

from __future__ import annotations

import itertools
import random

import numpy as np

from digest.dedup.clock import event_times, stated_times
from digest.dedup.engine import Doc, Params
from digest.dedup.storyclock import part_factor, parted
from tests.support.engines import stories_made
from tests.test_clock import DOCS as QUAKE_DOCS

#: Reports of one shooting stating its hour ("about 7 p.m.", "7 : 05 p.m."), and a report of another
#: (the night before, "2:30 a.m.") that joined them.
SEVEN = ["Two men were shot outside a bar on Main Street at about 7 p.m. Friday, police said.",
         "Police said the shooting happened around 7 p. m. on Main Street.",
         "Officers were called to Main Street shortly after 7 p.m. after reports of gunfire.",
         "The gunman opened fire at 7 : 05 p.m. outside the bar, a witness said."]
STRAY = "A man was shot outside a bar on Main Street at 2:30 a.m. Friday, police said."
SILENT = "Two men were wounded in a shooting outside a bar on Main Street, police said."


def _read(texts: list[str]) -> list[frozenset[tuple[int, bool, bool]] | None]:
    return [stated_times(t) or None for t in texts]


def test_the_parting_is_on_by_default() -> None:
    assert Params().story_clock_factor == 0.2 and Params().story_clock_least == 3


def test_a_stray_stating_another_hour_is_parted_from_its_group() -> None:
    group = [*SEVEN, SILENT, STRAY]
    assert parted(_read(group), 3) == [5]
    # the same through the engine's codes: its links to every other report of its group, silent ones too
    labels = np.array([0, 0, 0, 0, 0, 0, 1])
    codes = [event_times("", t) for t in [*group, "Stocks fell at 10 a.m. on Wall Street."]]
    f = part_factor(0.2, labels, codes, 3)
    assert f is not None
    assert np.allclose(f[5, :6], [0.2, 0.2, 0.2, 0.2, 0.2, 1.0]) and np.allclose(f[:6, 5], f[5, :6])
    assert f[5, 6] == 1.0 and f[6, 5] == 1.0  # not its group's
    assert np.count_nonzero(f < 1.0) == 10


def test_a_report_stating_no_time_is_never_parted() -> None:
    group = [*SEVEN, SILENT, SILENT.replace("Two men", "A man")]
    assert parted(_read(group), 3) == []
    assert part_factor(0.2, np.zeros(len(group), int), [event_times("", t) for t in group], 3) is None


def test_a_group_with_too_few_stating_reports_parts_none() -> None:
    few = [SEVEN[0], SEVEN[1], SILENT, STRAY]  # the stray has 2 stating reports besides it
    assert parted(_read(few), 3) == []
    assert parted(_read(few), 2) == [3]
    assert part_factor(0.2, np.zeros(len(few), int), [event_times("", t) for t in few], 3) is None


def test_a_half_against_parts_none() -> None:
    split = [SEVEN[0], SEVEN[1], SEVEN[2], STRAY, STRAY.replace("2:30", "2 : 35"), SILENT]
    # a 7 p.m. report has 2 of its 4 stating others against it (a half): kept; a 2:30 a.m. one 3 of 4
    assert parted(_read(split), 3) == [3, 4]


#: Rewrites of one bar shooting (not copies: each its own copy group), four stating its hour and
#: two none, and a report of a shooting at the same bar at 2:30 a.m. told in its words: without the
#: time, one story in every order.
BAR = {
    "a1": ("Two men shot outside Dayton bar",
           "Two men were shot outside the Blue Room bar on Main Street in Dayton at about 7 p.m. Friday, police said. "
           "Officers found both men in the parking lot and took them to Miami Valley Hospital. A witness said an "
           "argument inside the bar spilled outside. No arrests have been made."),
    "a2": ("Police: two wounded in shooting at Blue Room bar",
           "Police in Dayton say a gunman wounded two men around 7 p. m. Friday in the parking lot of the Blue Room "
           "bar on Main Street. Both victims were taken to Miami Valley Hospital and are expected to survive, "
           "detectives said, asking anyone with information to call them."),
    "a3": ("Shooting outside Main Street bar wounds two",
           "Shortly after 7 p.m. Friday, gunfire erupted outside the Blue Room, a bar on Dayton's Main Street, leaving "
           "two men wounded. The bar's owner said the men were regulars. Medics took them to Miami Valley Hospital; "
           "police have made no arrests."),
    "a4": ("Gunfire outside Dayton bar leaves two hurt",
           "The gunman opened fire at 7 : 05 p.m. outside the Blue Room bar on Main Street, a witness told police in "
           "Dayton. Two men were hit and taken to Miami Valley Hospital. Neighbours said they heard several shots; "
           "no one is in custody."),
    "a5": ("Two hurt in Dayton bar shooting",
           "Detectives were looking at security video Saturday after two men were shot in the parking lot of the Blue "
           "Room bar on Main Street in Dayton. The men were treated at Miami Valley Hospital. Police have not named a "
           "suspect."),
    "a6": ("Dayton bar shooting: two wounded",
           "Main Street was closed for several hours after a shooting outside the Blue Room bar in Dayton left two "
           "men wounded, police said. Both were taken to Miami Valley Hospital. Anyone with information is asked to "
           "call Dayton police."),
    "s1": ("Man shot outside Dayton bar",
           "A man was shot outside the Blue Room bar on Main Street in Dayton at 2:30 a.m. Friday, police said. "
           "Officers found him in the parking lot and took him to Miami Valley Hospital. A witness said a fight "
           "broke out at closing time. No arrests have been made."),
}
DOCS = {k: Doc(id=k, title=t, text=x) for k, (t, x) in BAR.items()}
ORDERS = random.Random(0).sample(list(itertools.permutations(DOCS)), 24)


def test_the_engine_parts_the_stray_from_the_shooting_in_every_order() -> None:
    on = Params()
    shooting = frozenset(k for k in DOCS if k != "s1")
    for order in ORDERS:
        assert stories_made(DOCS, order, on) == {shooting, frozenset({"s1"})}, order
    for order in ORDERS[:4]:
        assert stories_made(DOCS, order, Params(story_clock_factor=1.0)) == {frozenset(DOCS)}, order


def test_a_parted_report_keeps_its_links_to_the_reports_agreeing_with_it() -> None:
    group = [SEVEN[0], SEVEN[1], SEVEN[2], STRAY, STRAY.replace("2:30", "2 : 35"), SILENT]
    f = part_factor(0.2, np.zeros(len(group), int), [event_times("", t) for t in group], 3)
    assert f is not None
    assert f[3, 4] == f[4, 3] == 1.0  # 2:30 and 2:35 a.m.: one night's
    assert np.allclose(f[3], [0.2, 0.2, 0.2, 1.0, 1.0, 0.2]) and np.allclose(f[:, 4], [0.2, 0.2, 0.2, 1.0, 1.0, 0.2])
    assert f[0, 1] == f[0, 5] == 1.0  # the 7 p.m. reports are not parted


def test_two_quakes_told_two_against_two_are_two_stories_not_four() -> None:
    """Every report of ``test_clock``'s two quakes is parted (2 of its 3 stating others against it);
    each keeps its link to the one agreeing with it."""
    for order in itertools.permutations(QUAKE_DOCS):
        assert stories_made(QUAKE_DOCS, order, Params()) == {frozenset(("a1", "a2")), frozenset(("b1", "b2"))}, order


def test_copies_of_one_text_vote_once() -> None:
    """Four outlets carrying the stray's text do not outvote three reports of the event."""
    group = [SEVEN[0], SEVEN[1], SEVEN[2], STRAY, STRAY, STRAY, STRAY]
    assert parted(_read(group), 3) == [0, 1, 2]  # counted per copy: the event's reports outvoted
    assert parted(_read(group), 3, [0, 1, 2, 3, 3, 3, 3]) == [3, 4, 5, 6]
    assert parted(_read(group[:2] + group[3:5]), 3, [0, 1, 3, 3]) == []  # three voters: too few

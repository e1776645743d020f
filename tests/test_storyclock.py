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


def test_the_parting_is_off_by_default() -> None:
    assert Params().story_clock_factor >= 1.0


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


#: Rewrites of one bar shooting, four stating its hour and two none, and a report of a shooting at
#: the same bar at 2:30 a.m. told in the same words: without the time, one story in every order.
BASE = ("{who} shot outside the Blue Room bar on Main Street in Dayton {when} Friday, police said. "
        "Officers found {v} with gunshot wounds in the parking lot and took {p} to Miami Valley Hospital. "
        "{extra} No arrests have been made and police asked anyone with information to call detectives.")
BAR = {
    "a1": ("Two men shot outside Dayton bar", BASE.format(
        who="Two men were", when="at about 7 p.m.", v="both men", p="them",
        extra="A witness said an argument inside the bar spilled outside.")),
    "a2": ("Police: two wounded in shooting at Blue Room bar", BASE.format(
        who="Two men were", when="around 7 p. m.", v="the victims", p="them",
        extra="Police said the men are expected to survive.")),
    "a3": ("Shooting outside Main Street bar wounds two", BASE.format(
        who="Two men were", when="shortly after 7 p.m.", v="two men", p="them",
        extra="The bar's owner said the men were regulars.")),
    "a4": ("Gunfire outside Dayton bar leaves two hurt", BASE.format(
        who="Two men were", when="at 7 : 05 p.m.", v="two victims", p="both",
        extra="Neighbours said they heard several shots.")),
    "a5": ("Two hurt in Dayton bar shooting", BASE.format(
        who="Two men were", when="on", v="the two men", p="them", extra="Detectives were looking at security video.")),
    "a6": ("Dayton bar shooting: two wounded", BASE.format(
        who="Two men were", when="on", v="both victims", p="them", extra="The street was closed for several hours.")),
    "s1": ("Man shot outside Dayton bar", BASE.format(
        who="A man was", when="at 2:30 a.m.", v="a man", p="him", extra="A witness said a fight broke out at closing time.")),
}
DOCS = {k: Doc(id=k, title=t, text=x) for k, (t, x) in BAR.items()}
ORDERS = random.Random(0).sample(list(itertools.permutations(DOCS)), 24)


def test_the_engine_parts_the_stray_from_the_shooting_in_every_order() -> None:
    on = Params(story_clock_factor=0.2)
    shooting = frozenset(k for k in DOCS if k != "s1")
    for order in ORDERS:
        assert stories_made(DOCS, order, on) == {shooting, frozenset({"s1"})}, order
    for order in ORDERS[:4]:
        assert stories_made(DOCS, order, Params()) == {frozenset(DOCS)}, order

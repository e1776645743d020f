"""Dated article streams for the time-model benchmarks: ECB+ given dates, GVC with its own.

ECB+ has no dates, so :func:`ecb_stream` gives it some, the way a real stream
would carry them:

* each topic's first event gets a day in 2024 (topics interleave in the
  stream); its second event comes months later (``apart``) or 1 to 3 days
  later (``close``: two quakes in one region, two matches of one team), or
  0 to 24 hours after the first (``sameday``, dev only: the two bursts of
  reports interleave, so time parts the siblings less than in ``close`` and
  the text must part them; made because dev ``close`` precision is over the
  issue's target and cannot show a cue's gain in precision);
* an event's day falls on the weekday its own reports state most often in
  their opening ("on Sunday"), within three days of the drawn one, so that
  the text and the dates agree as they do in real news;
* each report is published after its event with a long-tailed delay: most
  within hours, a third within days, one in ten one to three weeks later
  (follow-ups, trials, anniversaries);
* each report arrives (is fetched) 1 to 60 minutes after it is published, from
  one of twelve outlets.
* ``stated=True`` (streams ``ecb-*-stated``, for tuning a cue of the days a
  report names): each report whose opening names a day ("today", "yesterday",
  "on Sunday") is published where that word reads right from its date, as a
  real report is (dev, seed 0: 146 of 496 reports move).

GVC (:func:`gvc_stream`) carries each report's real publication day; the
hour is drawn (seeded), as the corpus gives days only.

``gvc-close`` (:func:`gvc_close_stream`, GVC val only: a tuning stream) packs GVC's
incidents, all of one kind (a shooting), into ``PACK_DAYS`` days, so that many start 0 to 3
days after one another, as test's close siblings do (two quakes on one island): each
incident moves by a whole number of weeks (:func:`pack_shifts`), its first report onto a day
drawn in the window on its own weekday, so its reports keep their real delays after it and
every "on Sunday" or "yesterday" in them still reads right.

Every stream is a list of records of the ``digest replay`` contract, in
arrival order: ``{"id", "title", "text", "source", "published", "arrived",
"event"}`` (``event`` is the gold label; the replay ignores it).
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable, Hashable
from datetime import UTC, datetime, timedelta
from typing import Any

from .common import SHARED, load_ecb

GVC = SHARED / "corpus" / "stories" / "gvc.jsonl"

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b")
OUTLETS = tuple(f"Outlet {c}" for c in "ABCDEFGHIJKL")
YEAR_START = datetime(2024, 1, 1, tzinfo=UTC)


def stated_weekday(texts: list[str]) -> int | None:
    """The weekday (0 = Monday) an event's reports name most often in their openings."""
    counts = Counter(m for t in texts for m in _WEEKDAY.findall(t[:600]))
    if not counts:
        return None
    return WEEKDAYS.index(counts.most_common(1)[0][0])


def _align(day: datetime, weekday: int | None, rng: random.Random) -> datetime:
    """``day`` moved by at most 3 days onto ``weekday`` (unchanged when None)."""
    if weekday is None:
        return day
    shift = (weekday - day.weekday()) % 7
    if shift > 3:
        shift -= 7
    return day + timedelta(days=shift)


def delay_hours(rng: random.Random) -> float:
    """A report's delay after its event: 60% within hours, 30% within days, 10% weeks."""
    u = rng.random()
    if u < 0.6:
        return rng.expovariate(1 / 8.0)
    if u < 0.9:
        return 24.0 + rng.expovariate(1 / 48.0)
    return rng.uniform(7 * 24.0, 21 * 24.0)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


#: The first word of an opening that names a day, as a reader resolves it against the date.
_DAY_WORD = re.compile(
    r"\b(" + "|".join(WEEKDAYS) + r"|today|tonight|this morning|this afternoon|yesterday|last night)\b", re.I
)
_TODAY = ("today", "tonight", "this morning", "this afternoon")
_YESTERDAY = ("yesterday", "last night")


def day_word(opening: str) -> str | None:
    """The first day word of ``opening``, lower-cased ("sunday", "today", "yesterday"), or None."""
    m = _DAY_WORD.search(opening)
    return m.group(1).lower() if m else None


def named_day(word: str, published: datetime) -> datetime:
    """The midnight (UTC) of the day ``word`` names in a report published at ``published``."""
    day = published.replace(hour=0, minute=0, second=0, microsecond=0)
    if word in _TODAY:
        return day
    if word in _YESTERDAY:
        return day - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - [w.lower() for w in WEEKDAYS].index(word)) % 7)


def _agree(pub: datetime, day: datetime, event_at: datetime, word: str | None, rng: random.Random) -> datetime:
    """``pub`` moved, when the day its opening names reads wrong from it, to a time it reads right.

    The day named is the event's for "today"/"yesterday" and the event's own weekday,
    else the first such weekday after it (a follow-up naming an arrest's day).
    """
    if word is None:
        return pub
    if word in _TODAY or word in _YESTERDAY:
        target = day
    else:
        target = day + timedelta(days=([w.lower() for w in WEEKDAYS].index(word) - day.weekday()) % 7)
    if named_day(word, pub) == target:
        return pub
    if word in _TODAY:
        start, end = event_at, day + timedelta(hours=24)
    elif word in _YESTERDAY:
        start, end = day + timedelta(hours=24), day + timedelta(hours=48)
    else:
        start, end = max(event_at, target), target + timedelta(days=7)
    return start + (end - start) * rng.uniform(0.02, 0.98)


def event_time(
    scenario: str, base: datetime, first: tuple[datetime, datetime] | None, weekday: int | None, rng: random.Random
) -> tuple[datetime, datetime]:
    """An event's day (midnight) and time: the first of its topic (``first`` None) on the
    stated ``weekday`` near ``base``; a later one 60-200 days after the first's day
    (``apart``), 1-3 days after it on the stated weekday when one of those days has it
    (``close``), or 0-24 hours after the first's time (``sameday``)."""
    if first is not None and scenario == "sameday":
        event_at = first[1] + timedelta(hours=rng.uniform(0, 24))
        return event_at.replace(hour=0, minute=0, second=0, microsecond=0), event_at
    if first is None:
        day = _align(base, weekday, rng)
    elif scenario == "apart":
        day = _align(first[0] + timedelta(days=rng.uniform(60, 200)), weekday, rng)
    else:
        gaps = [g for g in (1, 2, 3) if weekday is None or (first[0] + timedelta(days=g)).weekday() == weekday]
        day = first[0] + timedelta(days=rng.choice(gaps or [1, 2, 3]))
    day = day.replace(hour=0, minute=0, second=0, microsecond=0)
    return day, day + timedelta(hours=rng.uniform(5, 20))


def ecb_stream(
    split: str, scenario: str, seed: int = 0, *, stated: bool = False, rows: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """ECB+ ``split`` (dev/test) as a dated stream; ``scenario`` is ``apart``, ``close`` or
    ``sameday`` (made for tuning on dev; ``benchmarks.timeline`` replays apart and close).

    ``stated``: each report published where the day its opening names reads right
    (:func:`_agree`); the delays are drawn as without it.  ``rows``: the split's rows
    rewritten (``benchmarks.same_place``), the draws as for the split's own.
    """
    if scenario not in ("apart", "close", "sameday"):
        raise ValueError(f"unknown scenario {scenario!r} (apart, close or sameday)")
    rng = random.Random(f"{split}/{scenario}/{seed}")
    agree = random.Random(f"{split}/{scenario}/{seed}/stated")
    rows = load_ecb(split) if rows is None else rows
    by_topic: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for r in rows:
        by_topic.setdefault(int(r["topic"]), {}).setdefault(str(r["event"]), []).append(r)
    out: list[dict[str, Any]] = []
    for topic in sorted(by_topic):
        events = sorted(by_topic[topic])  # "<n>ecb" before "<n>ecbplus"
        base = YEAR_START + timedelta(days=rng.uniform(0, 300))
        first: tuple[datetime, datetime] | None = None  # the first event's day and time
        for ev in events:
            reports = by_topic[topic][ev]
            day, event_at = event_time(scenario, base, first, stated_weekday([r["text"] for r in reports]), rng)
            first = first or (day, event_at)
            for r in reports:
                pub = event_at + timedelta(hours=delay_hours(rng))
                if stated:
                    pub = _agree(pub, day, event_at, day_word(f"{r.get('title') or ''}. {r['text'][:600]}"), agree)
                out.append(_record(r, ev, pub, pub + timedelta(minutes=rng.uniform(1, 60)), rng))
    out.sort(key=lambda r: (r["arrived"], r["id"]))
    return out


def _record(r: dict[str, Any], event: str, pub: datetime, arrived: datetime, rng: random.Random) -> dict[str, Any]:
    return {
        "id": str(r["id"]),
        "title": r.get("title") or "",
        "text": r["text"],
        "source": rng.choice(OUTLETS),
        "published": _iso(pub),
        "arrived": _iso(arrived),
        "event": event,
    }


def load_gvc(split: str) -> list[dict[str, Any]]:
    if not GVC.is_file():
        raise SystemExit(f"{GVC}: GVC corpus not found (set DIGEST_SHARED to the shared folder)")
    rows = [json.loads(line) for line in GVC.read_text(encoding="utf-8").splitlines() if line.strip()]
    if split == "all":
        return rows
    if split not in ("val", "test"):
        raise ValueError(f"unknown GVC split {split!r} (val, test or all)")
    return [r for r in rows if r["split"] == split]


#: A set of tuning pairs: (name, rows, the group whose pairs are counted).
PairSet = tuple[str, list[dict[str, Any]], Callable[[dict[str, Any]], Hashable]]


def tuning_pair_sets(ecb: list[dict[str, Any]] | None = None) -> list[PairSet]:
    """The pairs a cue is counted on before building: ECB+ dev's pairs of one topic (same
    event against sibling) and all of GVC val's pairs (same incident against two); the
    tuning splits only.  ``ecb``: ECB+ dev when the caller holds it already."""
    return [
        ("ECB+ dev, pairs of one topic", load_ecb("dev") if ecb is None else ecb, lambda r: r["topic"]),
        ("GVC val, all pairs", load_gvc("val"), lambda r: 0),
    ]


def gvc_stream(split: str, seed: int = 0) -> list[dict[str, Any]]:
    """GVC ``split`` (val/test) with its real publication days, an hour drawn for each."""
    rng = random.Random(f"gvc/{split}/{seed}")
    out = []
    for r in load_gvc(split):
        day = datetime.fromisoformat(r["published"]).replace(tzinfo=UTC)
        pub = day + timedelta(hours=rng.uniform(6, 22))
        out.append(_record(r, str(r["event"]), pub, pub + timedelta(minutes=rng.uniform(1, 60)), rng))
    out.sort(key=lambda r: (r["arrived"], r["id"]))
    return out


#: Days over which ``gvc-close`` draws its incidents' first reports (then each moved onto its
#: own weekday, up to 3 days either way): GVC val's 37 incidents, 2.5 years apart, packed so that
#: each has about a dozen others starting within 3 days of it.
PACK_DAYS = 14
#: Where the packed window begins (a Monday).
PACK_START = datetime(2024, 3, 4, tzinfo=UTC)


def pack_shifts(firsts: dict[str, datetime], rng: random.Random, days: int = PACK_DAYS,
                start: datetime = PACK_START) -> dict[str, timedelta]:
    """Per incident, the whole number of weeks that moves its first report's day (``firsts``,
    midnight) onto a day drawn uniformly in ``days`` days from ``start``, then moved onto the
    first report's own weekday (:func:`_align`: within 3 days); incidents in sorted order."""
    out = {}
    for ev in sorted(firsts):
        drawn = (start + timedelta(days=rng.uniform(0, days))).replace(hour=0, minute=0, second=0, microsecond=0)
        day = _align(drawn, firsts[ev].weekday(), rng)
        out[ev] = timedelta(days=7 * round((day - firsts[ev]).days / 7))
    return out


def gvc_close_stream(split: str, seed: int = 0, *, days: int = PACK_DAYS) -> list[dict[str, Any]]:
    """GVC val with its incidents packed into ``days`` days (:func:`pack_shifts`): each
    report on its real day moved by its incident's whole weeks, an hour drawn for it as in
    :func:`gvc_stream`.  A tuning stream: ``split`` must be ``val``."""
    if split != "val":
        raise ValueError(f"gvc-close is a tuning stream, made of GVC val only (not {split!r})")
    rng = random.Random(f"gvc-close/{split}/{seed}")
    rows = load_gvc(split)
    real = {str(r["id"]): datetime.fromisoformat(r["published"]).replace(tzinfo=UTC) for r in rows}
    firsts: dict[str, datetime] = {}
    for r in rows:
        ev = str(r["event"])
        firsts[ev] = min(firsts.get(ev, real[str(r["id"])]), real[str(r["id"])])
    shift = pack_shifts(firsts, rng, days)
    out = []
    for r in sorted(rows, key=lambda r: str(r["id"])):
        pub = real[str(r["id"])] + shift[str(r["event"])] + timedelta(hours=rng.uniform(6, 22))
        out.append(_record(r, str(r["event"]), pub, pub + timedelta(minutes=rng.uniform(1, 60)), rng))
    out.sort(key=lambda r: (r["arrived"], r["id"]))
    return out


STREAMS = {
    "ecb-apart": lambda split, seed: ecb_stream(split, "apart", seed),
    "ecb-close": lambda split, seed: ecb_stream(split, "close", seed),
    "ecb-sameday": lambda split, seed: ecb_stream(split, "sameday", seed),
    "ecb-apart-stated": lambda split, seed: ecb_stream(split, "apart", seed, stated=True),
    "ecb-close-stated": lambda split, seed: ecb_stream(split, "close", seed, stated=True),
    "gvc": gvc_stream,
    "gvc-close": gvc_close_stream,
    "ecb-sameplace": lambda split, seed: _same_place(split, seed),
    "ecb-sameteam": lambda split, seed: _same_team(split, seed),
}


def _same_place(split: str, seed: int) -> list[dict[str, Any]]:
    from .same_place import same_place_stream  # it builds on this module

    return same_place_stream(split, seed)


def _same_team(split: str, seed: int) -> list[dict[str, Any]]:
    from .same_team import same_team_stream  # it builds on this module

    return same_team_stream(split, seed)

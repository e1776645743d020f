"""A dev stream whose close siblings share their place: ``ecb-sameplace`` (tuning split only).

Observations
------------
* Issue #19's errors left on test are two events of one kind at one place, 1-3 days apart
  (two quakes on one island, two offers for one player), and dev's close stream has few
  errors of that shape: in 9 of ECB+ dev's 22 topics the two events happen in different
  places (a hit-and-run in Bloomington and one in Queens, a quake in West Papua and one in
  Aceh), and the engine's place cue and the place words themselves part them.  Dev close
  precision is over the target (worst of 10 seeds 0.974), so a cue for the test's shape
  has no gradient there.
* This stream makes those 9 topics the test's shape: the second event's reports have their
  places renamed to the first event's (:data:`SAME_PLACE`, a hand-made table of dev topics
  only: "Aceh" -> "Papua", "Queens" -> "Bloomington"), so the siblings are of one kind, at
  one place, with different people, 1-3 days apart.  Everything else is ``ecb-close``'s:
  the same seeded dates, delays and outlets (the generator's random draws do not read the
  text), so a figure against ``ecb-close`` of the same seeds is the renaming's alone.

How it works
------------
``same_place_stream("dev", seed)`` is ``dated.ecb_stream`` of the close scenario on the
rewritten rows; whole-word, case-sensitive replacements, longest name first, in the title
and the text.  Registered as ``ecb-sameplace`` in ``dated.STREAMS`` and in
``benchmarks.tune``'s ``TUNING_SPLIT`` (dev); any other split is refused.

    python -m benchmarks.close_cues --cue none --streams ecb-sameplace:10,ecb-close:10
"""

from __future__ import annotations

import re
from typing import Any

from .common import load_ecb

#: Per ECB+ dev topic, the second event's places renamed to the first's (longest first at use).
#: Read off each event's most frequent capitalised words (stop 60); dev topics only.
SAME_PLACE: dict[int, tuple[tuple[str, str], ...]] = {
    1: (("Betty Ford Center", "Promises Treatment Center"), ("Betty Ford", "Promises"), ("Rancho Mirage", "Malibu"),
        ("Newport Beach", "Malibu"), ("Morningside Recovery", "Promises"), ("Morningside", "Promises"),
        ("Cliffside", "Promises")),
    3: (("Huntsville", "Atlanta"), ("Houston", "Atlanta"), ("Beaumont", "Atlanta"), ("Baytown", "Buckhead"),
        ("Brazos County", "Fulton County"), ("Texas", "Georgia")),
    7: (("Stade de Suisse", "SAP Arena"), ("Bern", "Mannheim"), ("Switzerland", "Germany"), ("Swiss", "German")),
    13: (("Palmer", "Wasilla"),),
    19: (("East Flatbush", "Exarchia"), ("Brooklyn", "Athens"), ("New York", "Greece")),
    21: (("Queens", "Bloomington"), ("Richmond Hill", "Burnsville"), ("Schenectady", "Burnsville"),
         ("Jamaica Hospital", "Fairview Southdale Hospital"), ("New York", "Minnesota")),
    33: (("Brownsville", "West Hill"), ("Brooklyn", "Albany")),
    37: (("Banda Aceh", "Manokwari"), ("Central Aceh", "West Papua"), ("Bener Meriah", "Sorong"), ("Aceh", "Papua"),
         ("Sumatra", "Papua"), ("Bireun", "Manokwari"), ("Lampahan", "Manokwari"), ("Takengon", "Sorong")),
    41: (("South Sudanese", "Palestinian"), ("South Sudan", "Gaza"), ("Sudanese", "Israeli"), ("Sudan", "Israel"),
         ("Yida", "Jabaliya"), ("Khartoum", "Tel Aviv"), ("Unity State", "Gaza Strip"),
         ("South Kordofan", "Gaza City"), ("Southern Kordofan", "Gaza City")),
    45: (("Fort Smith", "Modesto"), ("Fort Coffee", "Modesto"), ("Spiro", "Modesto"),
         ("Crawford County", "Stanislaus County"), ("Oklahoma", "California"), ("Arkansas", "California"),
         ("Ark", "Calif")),
}


def renamer(pairs: tuple[tuple[str, str], ...]) -> Any:
    """A function renaming each name of ``pairs`` (whole words, longest first) in a string."""
    table = dict(pairs)
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)) + r")\b")
    return lambda s: pattern.sub(lambda m: table[m.group(1)], s)


def rewrite(rows: list[dict[str, Any]], table: dict[int, tuple[tuple[str, str], ...]] | None = None,
            ) -> list[dict[str, Any]]:
    """``rows`` (ECB+ dev) with each ``table`` topic's second event renamed (by default
    :data:`SAME_PLACE`; ``same_team`` passes its own); the rest as they are (new dicts for
    the renamed ones)."""
    firsts: dict[int, str] = {}
    for r in rows:
        t = int(r["topic"])
        firsts[t] = min(firsts.get(t, str(r["event"])), str(r["event"]))
    out = []
    rename = {t: renamer(p) for t, p in (SAME_PLACE if table is None else table).items()}
    for r in rows:
        t = int(r["topic"])
        if t in rename and str(r["event"]) != firsts[t]:
            r = {**r, "title": rename[t](r.get("title") or ""), "text": rename[t](r["text"])}
        out.append(r)
    return out


def same_place_stream(split: str, seed: int = 0) -> list[dict[str, Any]]:
    """``ecb-close`` of ECB+ dev with the siblings' places made one (:func:`rewrite`)."""
    if split != "dev":
        raise ValueError(f"ecb-sameplace is a tuning stream, made of ECB+ dev only (not {split!r})")
    from .dated import ecb_stream

    return ecb_stream(split, "close", seed, rows=rewrite(load_ecb(split)))

"""The figures a text states: the numbers of the news, not a page's dates, clocks and counters.

Observations
------------
* A toll raised in place ("killed three" become "killed five", "4,000 homes" become "4,400")
  changes 3 of a sentence's 30 word 3-grams: the copy test (``digest.output.news``) read it as
  read until a figure no earlier version stated made the passage new (stop 40).
* A page's numbers churn between polls without news: its dateline's day ("March 19"), a clock
  ("9:45 a.m."), "3 hours ago" in any language, a reading time, view, comment and share
  counters ("👁 222.5K").  None of them is a figure.

How it works
------------
:func:`stated` reads each number (digits of any script, a magnitude glued to it: "$2bn",
"1.5m") and number word two to twenty, skips those the context makes no figure (a year, a
month's name beside it, a unit of time ago, a counter's word or symbol), and yields it as
``#`` and its number ("#5" for "5" and "five", "#2000" for "2,000", "#-2" for "-2": a sign
flipped is a figure changed), and its scale where one is sure ("#2bn" for "$2bn" and "2
billion", "#2m" for "$2m": "$2m" become "$2bn" is news; "30m" may be metres, and stays "#30"),
with where it stands.  One sum is one figure however it is written: "$2m", "$2,000,000" and
"$2 million" are "#2m", "$0.5bn" and "$500m" "#500m", "$12k" and "$12,000" "#12000".
:func:`figures` is the set of them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from decimal import Decimal
from difflib import SequenceMatcher

#: What a figure is kept as, before its number ("#5": :func:`figures`).
_FIG = "#"
_NUMBER_WORDS = {w: str(n) for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split()) if n >= 2}  # "one" is a pronoun as often
#: A number, with a magnitude glued to it ("$2bn", "1.5m", "12k", "$2million", "2mln": the
#: number is the figure, as in "$2 billion"), or a number word.
FIGURE = re.compile(r"(?<![\w.,:/])(?<!\d-)(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:thousand|million|billion|trillion|mln|bln|bn|tn|mn|m|k|b)?(?![\w:/]|[.,-]\d)|\b("
                     + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
#: A month's name, whole or cut ("Sept."): not a word it begins ("13 Marines", "declined 5%",
#: "4 separate devices", "6 junior doctors" state figures).
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
#: A day of a month ("March 19", "19 March"): a page's dateline as often as the news's.
_MONTH_BEFORE = re.compile(r"(?<![\w.])" + _MONTH + r"\s+$", re.IGNORECASE)
_MONTH_AFTER = re.compile(r"\s+" + _MONTH + r"(?!\w)", re.IGNORECASE)
#: What follows a number that is no figure of the news: a clock, time ago, a page's counters.
_NOT_NEWS = re.compile(
    r"[\s-]*(?:[ap]\.?m\b|(?:hours?|hrs?|minutes?|mins?|seconds?|secs?|days?|weeks?|months?|years?)\s+ago\b|ago\b|"
    r"(?:views?|comments?|likes?|followers?|reads?|replies|retweets?|reactions?|watching)\b|"
    r"min(?:ute)?s?\.?\s+read\b|"  # a reading time: "By Jane Doe · 5 min read"
    # time ago in the languages that say it after the number: Italian, Dutch
    r"(?:secondi|minut[oi]|or[ae]|giorn[oi]|settiman[ae]|mes[ei]|ann[oi])\s+fa\b|"
    r"(?:seconden|minuten|minuut|uur|dagen|dag|weken|week|maanden|maand|jaar)\s+geleden\b)", re.IGNORECASE)
#: "12 shares" is a page's counter where no word comes before it ("· 12 shares", "(12 shares)"); a
#: stake's size after one ("sold 50,000 shares in ...").
_SHARES = re.compile(r"[\s-]*shares?\b", re.IGNORECASE)
_AFTER_WORD = re.compile(r"[^\W\d_]\s*$")
#: Time ago in the languages that say it before the number ("vor 3 Stunden", "il y a 3 heures",
#: "hace 3 horas", "há 3 horas"): a page's dateline, churning at every poll.
_AGO_BEFORE = re.compile(r"(?:\bvor|\bil\s+y\s+a|\bhace|\bhá)\s+$", re.IGNORECASE)
_TIME_UNIT = re.compile(
    r"\s*(?:sek(?:unden?)?|min(?:uten?)?|std|stunden?|tag(?:en?)?|wochen?|monat(?:en?)?|jahr(?:en?)?|"
    r"secondes?|minutes?|heures?|h|jours?|semaines?|mois|ans?|"
    r"segundos?|minutos?|horas?|d[ií]as?|semanas?|meses|años?|anos?)\b", re.IGNORECASE)
_YEAR = re.compile(r"(?:19|20)\d\d")

def figures(text: str, start: int = 0, end: int | None = None) -> set[str]:
    """The figures ``text`` states (between ``start`` and ``end``, read in the whole text's
    context: "Nov." may end the sentence before "12 of ..."), each as ``#`` and its number
    ("#5" for "5" and "five", "#2000" for "2,000"): not a year, a date's day, a clock time, nor
    a count of time ago or of views."""
    return {fig for fig, _ in stated(text, start, len(text) if end is None else end)}


def stated(text: str, start: int, end: int) -> Iterator[tuple[str, int]]:
    """Each figure :func:`figures` reads between ``start`` and ``end``, and where it stands."""
    for m in FIGURE.finditer(text, start, end):
        digits, word = m.group(1), m.group(2)
        if _NOT_NEWS.match(text, m.end()) or _MONTH_AFTER.match(text, m.end()):
            continue
        if _SHARES.match(text, m.end()) and not _AFTER_WORD.search(text, max(0, m.start() - 4), m.start()):
            continue
        if _MONTH_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue
        if _AGO_BEFORE.search(text, max(0, m.start() - 8), m.start()) and _TIME_UNIT.match(text, m.end()):
            continue
        if unicodedata.category(text[max(0, m.start() - 8):m.start()].rstrip()[-1:] or " ") == "So":  # "👁 222.5K", "💬 12": a counter
            continue
        if digits is not None:
            number = "".join(str(unicodedata.decimal(c, c)) for c in digits)  # "٣" is "3"
            if _YEAR.fullmatch(number):  # "2026", not "2,026"
                continue
            sign = "-" if _lead(text, m.start())[1] else ""
            yield _FIG + sign + _sum(number.replace(",", ""), _scale(text, m)), m.start()
        else:
            yield _FIG + _sum(_NUMBER_WORDS[word.lower()], _scale(text, m)), m.start()


#: Each scale's power of ten; the scales a sum is kept in are those from a million up.
_POWER = {"tn": 12, "bn": 9, "m": 6, "k": 3}


def _sum(number: str, scale: str) -> str:
    """``number`` stated in ``scale`` ("" where none is sure) as one form for one sum: from a
    million up, in the largest scale it is one or more of ("2m" for "$2m", "$2,000,000" and "2
    million"; "500m" for "$0.5bn" and "$500m"); below, in digits ("12000" for "$12k").  A
    number of more than 15 characters is a reference, not a sum (kept as it is: no rounding)."""
    whole = len(number.partition(".")[0])
    if (not scale and whole < 7) or len(number) > 15:  # most figures: under a million; or a reference
        return number
    value = Decimal(number).scaleb(_POWER.get(scale, 0))
    for name, power in _POWER.items():
        if power >= 6 and value >= Decimal(10) ** power:
            return _digits(value.scaleb(-power)) + name
    return _digits(value)


def _digits(value: Decimal) -> str:
    """``value`` in digits, no exponent, no trailing zeros after the point ("1.5", "12000")."""
    out = format(value.normalize(), "f")
    return out.rstrip("0").rstrip(".") if "." in out else out


#: A scale written after a figure ("$2 billion", "two million", "a $2-million grant" in Canadian
#: style, "a 3-billion-dollar deal"): a figure of its own ("$2m" become "$2bn" is news).
_SCALE_WORD = re.compile(r"(?:\s+|-)(thousand|million|billion|trillion|mln|bln)\b", re.IGNORECASE)
#: A scale glued on ("2bn"), as the word it stands for.
_SCALES = {"k": "k", "thousand": "k", "m": "m", "mn": "m", "million": "m", "b": "bn", "bn": "bn",
           "billion": "bn", "tn": "tn", "trillion": "tn", "mln": "m", "bln": "bn"}
#: A scale glued on that is no unit: sure without a currency sign ("2bn", "5million", "2mln").
_SURE = frozenset(("bn", "tn", "mn", "mln", "bln", "thousand", "million", "billion", "trillion"))
#: A currency sign before a figure ("$2m" is millions where "30m" is as often metres), with the
#: letters of its country written on it ("NZ$2m", "US$", "A$", "HK$"): the sign as the figure is
#: shown, "(was NZ$2m)", not "NZ**$3m** (was $2m)".
_CURRENCY = re.compile(r"(?:(?<![^\W\d_])[A-Z]{1,3})?[$£€¥₹]\s?$")


def _currency(text: str, at: int) -> re.Match[str] | None:
    """The currency sign written before the figure at ``at`` (``_CURRENCY``), or None."""
    return _CURRENCY.search(text, max(0, at - 5), at)


def _scale(text: str, m: re.Match[str]) -> str:
    """The scale the figure ``m`` is stated in, as the figure keeps it ("bn" for "$2bn", "2bn",
    "$2 billion", "two billion"; "m" for "$2m", "$2 million", "2 million"): "" where none is,
    or where the letter glued on may be a unit ("30m" metres, "1.5m" million: no currency
    sign before)."""
    spelled = _SCALE_WORD.match(text, m.end())
    if spelled:
        return _SCALES[spelled.group(1).lower()]
    glued = text[m.end(1):m.end()].lower() if m.group(1) is not None else ""
    if glued in _SURE or (glued and _currency(text, m.start())):
        return _SCALES[glued]
    return ""


def loose(fig: str, shown: str) -> str | None:
    """The figure with its scale that ``fig``, written ``shown`` (:func:`written`), may be as
    well, where the letter glued on is not sure ("1.5m": "#1.5", which may be metres, and
    "#1.5m", as "1.5 million" is); None where ``fig`` is as sure as it is written."""
    glued = shown[-1:].lower()
    if not fig[-1:].isdigit() or glued not in ("m", "k", "b"):
        return None
    sign = "-" if fig.startswith(_FIG + "-") else ""
    return _FIG + sign + _sum(fig.removeprefix(_FIG).removeprefix("-"), _SCALES[glued])


#: A minus sign before a figure ("fell to -2 degrees", "−0.5%"): not a hyphen after a word
#: or a figure ("COVID-19").
_MINUS = re.compile(r"(?<![\w.,:/])[-\u2212]$")


#: A unit written on a figure: a percentage (after a no-break space too: "12 %" in French), degrees
#: ("12%", "-2°C").
_UNIT = re.compile(r"[\u00a0\u202f]?[%\u2030]|\u00b0[CF]?(?!\w)")


def extent(text: str, at: int) -> tuple[int, int]:
    """Where the figure :func:`stated` found at ``at`` in ``text`` stands, with a minus sign
    or a currency sign written before it and a unit or scale written on it ("-2", "$2bn",
    "15%", "2 billion": the words after a changed figure, "(was 12%)", follow the unit, not
    the number: "15 (was 12)%" read as a figure of words); (at, at) where none is."""
    m = FIGURE.match(text, at)
    if not m:
        return at, at
    unit = _UNIT.match(text, m.end()) or _SCALE_WORD.match(text, m.end())
    return _lead(text, at)[0], unit.end() if unit else m.end()


def _lead(text: str, at: int) -> tuple[int, bool]:
    """Where the figure at ``at`` begins with what is written before it, a currency sign
    ("$2bn") and a minus sign ("-2", "-$2bn"), and whether it has the minus."""
    cur = _currency(text, at)
    start = cur.start() if cur else at
    sign = _MINUS.search(text, max(0, start - 2), start)
    return (sign.start(), True) if sign else (start, False)


def written(text: str, at: int) -> str:
    """The figure :func:`stated` found at ``at`` in ``text``, as written there ("4,000",
    "three"), its minus and currency signs and unit too ("-2", "$2bn", "12%": :func:`extent`):
    said as the figure a changed one replaced: "-4 (was 2)" read as a rise from 2 above zero,
    "(was 2m)" as metres, where "**$2bn** (was $2m)" says the sum."""
    start, end = extent(text, at)
    return text[start:end]


def replaced(old: Sequence[str], new: Sequence[str]) -> list[tuple[int, int]]:
    """Which figures of ``new`` took the place of which of ``old`` (both a passage's figures in
    the order it states them, :func:`stated`'s): (i, j) for ``new[j]`` in the place of
    ``old[i]``.  As many figures as before: each that differs from the one in its place ("his
    4-year-old daughter ... her 5-year-old sister" become 5 and 5: the first).  Else where the
    two sequences, aligned (``difflib``), differ by as many figures replaced one for one
    ("killed three, injured 10" become "killed five, injured 12" beside a figure added); a
    figure added or dropped beside them pairs with none (which one it took the place of is a
    guess)."""
    if len(old) == len(new):
        return [(i, i) for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    pairs: list[tuple[int, int]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "replace" and i2 - i1 == j2 - j1:
            pairs += zip(range(i1, i2), range(j1, j2), strict=True)
    return pairs

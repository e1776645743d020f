"""Who holds an office, as an article says it, and the pairs that cannot be of one time.  Pure.

Observations
------------
* An office is held by one person at a time, so the holder an article names dates it: a report
  naming "Interior Secretary Dirk Kempthorne" and one naming "Interior Secretary Ken Salazar",
  or one saying "President-elect Barack Obama" and one saying "President Barack Obama", were
  written under different administrations and tell different events, however alike their words
  (two rulings on the Endangered Species Act, issue #19's two events of one kind).  Counted on
  the tuning splits (``benchmarks.office_cue``, stop 62): 84 of 2,957 ECB+ dev sibling pairs
  flagged, 0 of 2,925 same-event pairs, 0 of GVC val's 51 same-incident pairs.
* A bare office is many offices ("President Kiir" and "President Omar", "coach Childress" and
  "coach Rio" in one report of one game): two holders are compared only for a *qualified* office,
  a capitalised word before its noun saying whose it is ("Interior Secretary", "Colts coach"; not
  a word of the title itself, ``_GENERIC``: "Head Coach", "Prime Minister"); unqualified, 9 ECB+
  dev same-event pairs were flagged.

How it works
------------
* :func:`read_offices`: of the title and the whole text, each "<Qualifier> <office> <Name>"
  (``OFFICES``; up to two capitalised qualifiers, not a sentence's first word; the name one to
  three capitalised words, its last the surname) as office -> surnames; each "<Office>-elect
  <Name>" as (office noun, surname) elected; each "<office> <Name>", bare or qualified, as
  (office noun, surname) in office.  A holder marked as not the present one ("former", "then-",
  "late", "new", "interim", "acting", "incoming", "outgoing" before the office or its
  qualifiers: "former Interior Secretary", "then-Colts coach") is not read.  Also read, an
  office written after its holder as an apposition closed by a comma or full stop ("Ken Salazar,
  the Interior Secretary,", "Jim O'Brien, coach of the 76ers."; whose the office is may follow
  "of" or "for"); a name's middle initial is skipped ("Dirk A. Kempthorne"), a day or month ends
  it ("Coach Maurice Cheeks Saturday").  A title in headline case ("76ers Fire Coach Jim O'Brien",
  "President Obama Overturns Endangered Species Rule") gives no qualified holder (its qualifier
  may be a verb) and each word after an office as a surname it may be.  Also kept: the text's
  capitalised words (to ask whether it names a surname at all).  None: no office read (the usual
  case).
* :func:`conflict`: one person elected in one article and in that office in the other (neither
  naming them both ways: one that does is of the changeover); or both
  name a holder of one qualified office, no surname of one is spelled like one of the other's
  (``OFFICE_SPELLING``: "Berdymukhamedov" and "Berdimuhamedov") and neither article names the
  other's holder anywhere (a report may name the outgoing and the incoming holder).
* :func:`office_factor`: per pair of a region's articles, ``Params.office_factor`` where they
  conflict, else 1.

Special cases
-------------
* An office named after its holder and not closed by punctuation ("Tzipi Livni, the Israeli
  foreign minister said"), in lower case and unqualified, or an office whose holder changed
  between two reports of one event (an inauguration's day) is not told apart, or is told apart
  wrongly.  What stop 63 added to the reading (after the name, headline case, days, initials)
  changes what 21 ECB+ dev reports read and no pair's verdict there or on GVC val.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
from collections import defaultdict
from typing import NamedTuple

import numpy as np

from .params import OFFICE_SPELLING

OFFICES = (r"Secretary|Minister|President|Premier|Chancellor|Governor|Gov\.|Mayor|Speaker|Chairman|"
           r"Chairwoman|CEO|[Cc]hief [Ee]xecutive|[Hh]ead [Cc]oach|[Cc]oach|[Mm]anager|Commissioner|"
           r"Director|Sheriff|Attorney General|Prosecutor|Ambassador")
_CAP = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
#: Days and months are not names: "Coach Maurice Cheeks Saturday" read "Saturday" as the surname
#: (stop 63).  "May", "June", "April", "August" are names too and stay.
_NOT_NAME = (r"(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|July|"
             r"September|October|November|December)\b)")
#: A name's word: also one with a capital inside ("McDonald", "DeWine", "O'Brien"), read whole;
#: read as ``_CAP`` it stopped before the inner capital and the first name was taken for the
#: surname ("Secretary Bob McDonald" and "Secretary Robert McDonald": two holders, stop 62
#: second review).
_NAME = rf"{_NOT_NAME}[A-Z](?:['’][A-Z])?[a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)?"
#: A name of one to three words, a middle initial allowed ("Dirk A. Kempthorne": read "Dirk", stop 63).
_FULL = rf"{_NAME}(?:\s+(?:[A-Z]\.\s+)?{_NAME}){{0,2}}"
#: A qualifier's word: capitalised, an acronym, or a team's number ("76ers", stop 63).
_QUAL = rf"(?:{_CAP}|[A-Z]{{2,}}|\d+[a-z]+)"
#: Each pattern read over the whole text starts with a lookahead for the characters a match can
#: start with (a qualifier's capital or digit, an office's first letter: "chief", "head", "coach",
#: "manager" in lower case): the other positions fail at once (``_HOLDER`` 0.118 -> 0.089 ms an
#: ECB+/GVC text, ``_SERVING`` 0.070 -> 0.033, ``_WORD`` 0.057 -> 0.033; stop 63).
_HOLDER = re.compile(rf"(?=[A-Z\dchm])(?<![\w-])((?:{_QUAL}\s+){{0,2}})(?:{OFFICES})\s+({_FULL})\b")
_ELECT = re.compile(rf"(?<![\w-])({_CAP})-elect\s+(?:{_NAME}\s+(?:[A-Z]\.\s+)?){{0,2}}({_NAME})\b")
_SERVING = re.compile(rf"(?=[A-Zchm])(?<![\w-])({OFFICES})\s+((?:{_NAME}\s+(?:[A-Z]\.\s+)?){{0,2}}{_NAME})\b(?!-)")
_MARKS = r"(?:(?i:former|ex-|then-|late|incoming|outgoing|interim|acting|future|previous)|new)"  # not "New York"
_NOT_PRESENT = re.compile(rf"{_MARKS}\s*$")
#: A marker before the office and its qualifiers ("former Interior Secretary", "then-Colts coach").
_NOT_PRESENT_BEFORE = re.compile(rf"\b{_MARKS}\s*(?:[A-Z][\w.]*\s+){{0,2}}$")
_NOT_QUALIFIER = frozenset(("The", "A", "An", "And", "But", "In", "On", "At", "Of", "For", "To", "By", "With",
                            "As", "Mr", "Mrs", "Ms", "Dr"))
#: Words of an office's own title, not of whose it is: "Head Coach", "General Manager", "Prime
#: Minister", "Foreign Minister", "Police Commissioner" are each many offices (two teams' coaches
#: in one game, two countries' ministers at one summit), as bare as "President".
_GENERIC = frozenset(("Head", "General", "Prime", "Vice", "Deputy", "Assistant", "Associate", "Chief",
                      "Executive", "Managing", "Senior", "Police", "County", "City", "State", "Foreign",
                      "Athletic", "Committee", "Team", "Club", "Party"))
_WORD = re.compile(rf"(?=[A-Z])\b{_NAME}")
#: An office written after its holder, as an apposition closed by a comma or a full stop ("Ken
#: Salazar, the Interior Secretary,", "Jim O'Brien, coach of the 76ers.", "Salazar, Interior
#: Secretary,"; stop 63): the name, its qualifiers, lower-case words of the title ("head",
#: "foreign"), the office, whose it is after "of" or "for", "-elect".  Not closed, it is not read:
#: "In Washington, the Interior Secretary said" names no holder.
_MOD = (r"(?!(?:for|of|to|and|or|the|in|at|with|by|as|candidate|nominee|now|former|then|late|incoming|"
        r"outgoing|interim|acting|future|previous|new)\b)[a-z]+")
#: Read from the comma (a scan from every capital was twice the reader's time), then the name
#: that ends at it (``_NAME_BEFORE``, up to 60 characters back).
_AFTER = re.compile(rf",\s+(?:(?:the|a|an)\s+)?((?:{_QUAL}(?:['’]s)?\s+){{0,2}})((?:{_MOD}\s+){{0,2}})"
                    rf"((?i:{OFFICES}))(-elect)?(?:\s+(?:of|for)\s+(?:the\s+)?({_QUAL}(?:\s+{_QUAL}){{0,3}}))?"
                    rf"(?=\s*[,.;:)])")
_NAME_BEFORE = re.compile(rf"(?<![\w'’.-])({_FULL})\Z")
#: Before a name written first, a word that makes it a place or a time ("in Washington, the ...").
_PLACE_BEFORE = re.compile(r"\b(?:in|at|from|to|of|on|near|since|until|by)\s+$")
#: Lower-case words a headline keeps so (of four letters or more): anything else in lower case
#: says the title is a sentence.
_HEADLINE_LOWER = frozenset(("with", "from", "into", "over", "after", "than", "that", "upon", "about", "amid"))
#: Each office of ``OFFICES`` in lower case ("[Cc]oach" as "coach", "Gov\\." as "gov."): a text whose
#: lower case holds none of them, nor a letter the patterns' (?i) match for an ASCII one ("ı", "İ",
#: "ſ", the Kelvin sign), cannot match ``_HOLDER``, ``_SERVING`` or ``_AFTER``, which are then not
#: run (most texts: the reader's time, stop 63).  ``_ELECT`` runs only on a text with "-elect".
_OFFICE_WORDS = tuple(sorted({re.sub(r"\[[A-Z]([a-z])\]", r"\1", o).replace("\\", "").lower()
                              for o in OFFICES.split("|")}))
_FOLDS = "\u0130\u0131\u017f\u212a"


class Offices(NamedTuple):
    """What :func:`read_offices` reads of one article."""

    held: dict[str, frozenset[str]]  # qualified office ("interior secretary") -> its holders' surnames
    elect: frozenset[tuple[str, str]]  # (office noun, surname) elected, not yet in office
    serving: frozenset[tuple[str, str]]  # (office noun, surname) in office, bare offices too
    names: frozenset[str]  # the capitalised words of the whole text


def _noun(office: str) -> str:
    word = office.split()[-1].lower()
    return "governor" if word == "gov." else word


def _present(text: str, start: int) -> bool:
    return not _NOT_PRESENT_BEFORE.search(text[max(0, start - 40):start])


def _headline(title: str) -> bool:
    """Whether ``title`` is in headline case ("President Obama Overturns Endangered Species Rule"),
    where a verb reads as one more word of a name or a qualifier ("76ers Fire Coach Jim O'Brien")."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", title)[1:] if len(w) >= 4]
    return len(words) >= 3 and all(w[0].isupper() or w in _HEADLINE_LOWER for w in words)


def _key(words: list[str]) -> str:
    """An office's key: its words, lower case, "Gov." as "governor"."""
    out = [w.lower().removesuffix("'s").removesuffix("’s") for w in words if w not in _NOT_QUALIFIER]
    return " ".join([*out[:-1], _noun(out[-1])])


def read_offices(title: str, text: str) -> Offices | None:
    """The offices ``title`` and ``text`` name with their holders; None when none.  In a title in
    headline case no qualified holder is read (its qualifier may be a verb: "76ers Fire Coach"),
    and each word of a name after an office is taken as the surname it may be ("President Obama
    Overturns ...")."""
    whole = f"{title}. {text}"
    low = whole.lower()
    named = any(w in low for w in _OFFICE_WORDS) or any(c in whole for c in _FOLDS)
    elected = "-elect" in whole
    if not (named or elected):
        return None
    cut = len(title) if _headline(title) else 0  # the title's span when it is in headline case
    held: dict[str, set[str]] = defaultdict(set)
    for m in _HOLDER.finditer(whole) if named else ():
        qualifiers = [w for w in m.group(1).split() if w not in _NOT_QUALIFIER]
        if m.start() >= cut and any(w not in _GENERIC for w in qualifiers) and _present(whole, m.start()) \
                and not any(_NOT_PRESENT.search(w) for w in qualifiers):
            held[_key(whole[m.start():m.start(2)].split())].add(m.group(2).split()[-1])
    elect = {(_noun(m.group(1)), m.group(2)) for m in _ELECT.finditer(whole)} if elected else set()
    serving = {(_noun(m.group(1)), w) for m in (_SERVING.finditer(whole) if named else ()) if _present(whole, m.start())
               for w in (m.group(2).split() if m.start() < cut else m.group(2).split()[-1:])}
    for m in _AFTER.finditer(whole) if named else ():
        n = _NAME_BEFORE.search(whole, max(0, m.start() - 60), m.start())
        if n is None or n.start() < cut or _PLACE_BEFORE.search(whole[max(0, n.start() - 8):n.start()]):
            continue
        name = [w for w in n.group(1).split() if w not in _NOT_QUALIFIER]
        if not name:
            continue
        whose = (m.group(5) or "").split() + m.group(1).split()
        if m.group(4):
            elect.add((_noun(m.group(3)), name[-1]))
            continue
        serving.add((_noun(m.group(3)), name[-1]))
        if any(w not in _GENERIC for w in whose if w not in _NOT_QUALIFIER):
            held[_key(whose + m.group(2).split() + m.group(3).split())].add(name[-1])
    if not (held or elect or serving):
        return None
    return Offices({k: frozenset(v) for k, v in held.items()}, frozenset(elect), frozenset(serving),
                   frozenset(_WORD.findall(whole)))


def comparable(a: Offices, b: Offices) -> bool:
    """Whether both name a holder of one qualified office, or one an elected person and the
    other someone in that office (what :func:`conflict` can judge)."""
    return bool(a.held.keys() & b.held.keys() or {o for o, _ in a.elect} & {o for o, _ in b.serving}
                or {o for o, _ in b.elect} & {o for o, _ in a.serving})


@functools.lru_cache(maxsize=1 << 14)
def _one_spelling(s: str, t: str) -> bool:
    """Whether two surnames (lower case) are one spelled two ways (``OFFICE_SPELLING``).  Kept:
    a region's pairs ask it of the same surnames at every regrouping (difflib was two thirds of
    ``office_factor``'s time, stop 63); difflib's upper bounds first."""
    m = difflib.SequenceMatcher(None, s, t)
    return m.real_quick_ratio() >= OFFICE_SPELLING and m.quick_ratio() >= OFFICE_SPELLING and m.ratio() >= OFFICE_SPELLING


def conflict(a: Offices, b: Offices) -> bool:
    """Whether two articles name one person elected and in office, or different holders of one
    office (see the module's docstring)."""
    # a person named both elected and in office is of the changeover (an inauguration's day)
    a_elect, a_serving, b_elect, b_serving = a.elect - a.serving, a.serving - a.elect, b.elect - b.serving, b.serving - b.elect
    if a_elect & b_serving or b_elect & a_serving:
        return True
    for office in a.held.keys() & b.held.keys():
        x, y = a.held[office], b.held[office]
        if any(_one_spelling(s.lower(), t.lower()) for s in x for t in y):
            continue
        if x & b.names or y & a.names:
            continue
        return True
    return False


def office_factor(factor: float, read_of: dict[int, Offices], nums: np.ndarray) -> np.ndarray | None:
    """Per pair of the articles ``nums``, ``factor`` where their offices conflict, else 1; None
    when off (``factor`` 1), when fewer than two name an office, or when no pair conflicts.  Only
    the pairs :func:`conflict` can find for are judged: those naming a holder of one qualified
    office, or one elected whom the other names in office (found by their keys; of a quick
    stream's 117,295 pairs of office-naming articles, 7,039 were, stop 63)."""
    if factor >= 1.0:
        return None
    pos = [k for k, n in enumerate(nums.tolist()) if n in read_of]
    if len(pos) < 2:
        return None
    reads = [read_of[int(nums[i])] for i in pos]
    held: dict[str, list[int]] = defaultdict(list)  # office -> the reads naming its holder, in order
    elect: dict[tuple[str, str], list[int]] = defaultdict(list)  # elected, not in office there too
    serving: dict[tuple[str, str], list[int]] = defaultdict(list)  # in office, not elected there too
    for x, o in enumerate(reads):
        for office in o.held:
            held[office].append(x)
        for e in o.elect - o.serving:
            elect[e].append(x)
        for e in o.serving - o.elect:
            serving[e].append(x)
    pairs = {(x, y) for xs in held.values() for x, y in itertools.combinations(xs, 2)}
    pairs.update((min(x, y), max(x, y)) for e, xs in elect.items() for x in xs for y in serving.get(e, ()))
    out = np.ones((nums.size, nums.size))
    for x, y in pairs:
        if conflict(reads[x], reads[y]):
            i, j = pos[x], pos[y]
            out[i, j] = out[j, i] = factor
    return out if (out < 1.0).any() else None

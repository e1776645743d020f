"""What writing systems other than the Latin alphabet need from a tokeniser.  Pure.

Observations
------------
* Python's ``\\w`` holds no combining mark (Unicode categories Mn, Mc, Me).  In Devanagari,
  Bengali, Tamil or Thai, most words carry vowel signs or a virama, and pointed Hebrew and
  Arabic with harakat carry marks too: ``\\w+`` cut "हिन्दी" into "ह", "न", "द", pieces
  every text of the language shares.
* Chinese and Japanese are written without spaces, and Thai, Lao, Khmer and Myanmar put
  spaces between phrases, not words: a word pattern takes a whole clause for one word.
  Character n-grams (bigrams for Chinese and Japanese, as Lucene's CJK analyser makes them)
  stand in for words without a dictionary.
* A text is cut for display at a character: a cut between a letter and its mark, inside an
  emoji sequence joined by U+200D or between the two halves of a flag leaves a mark on
  nothing or half a picture (:func:`safe_cut`).

How it works
------------
``MARKS`` is a character-class body of every combining mark of this Python's Unicode, for
word patterns to take them inside a word; ``CJK`` and ``SEA`` the scripts written without
spaces between words.  :func:`grams` splits a word token holding such a run into the run's
n-grams (other letters in the token stay whole).  Text without these characters is read as
before: no pattern here matches a Latin letter.
"""

from __future__ import annotations

import re
import unicodedata

from . import params as p

#: Where Unicode puts combining marks: the first two planes and plane 14 (variation
#: selectors).  Planes 2-13 hold ideographs or nothing, 15-16 private use.  Scanning these
#: only takes a seventh of the time of every code point (0.05 s against 0.34 s at each
#: start); ``tests/test_review_stop36_lead.py`` checks that no mark lies outside them.
MARK_PLANES = (range(0, 0x20000), range(0xE0000, 0xE1000))


def _ranges(keep: tuple[str, ...], spans: tuple[range, ...] = MARK_PLANES) -> str:
    """A regular-expression class body of the code points of ``spans`` whose category is
    one of ``keep``'s categories."""
    out: list[str] = []
    for span in spans:
        start = -1
        for c in range(span.start, span.stop + 1):
            hit = c < span.stop and unicodedata.category(chr(c)) in keep
            if hit and start < 0:
                start = c
            elif not hit and start >= 0:
                out.append(re.escape(chr(start)) + ("-" + re.escape(chr(c - 1)) if c - 1 > start else ""))
                start = -1
    return "".join(out)


#: Combining marks (a class body: ``[...{MARKS}]``).
MARKS = _ranges(("Mn", "Mc", "Me"))
#: Chinese characters (with their extensions and compatibility forms), kana.
CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
#: Thai, Lao, Myanmar, Khmer: spaces between phrases, not words.
SEA = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
#: Characters per word in those scripts (for word counts) and the n-gram length read.
CJK_GRAM = 2
SEA_GRAM = 3

_NO_SPACE = re.compile(f"[{CJK}{SEA}]")
_CJK_CHAR = re.compile(f"[{CJK}]")
_RUNS = re.compile(f"([{CJK}]+)|([{SEA}][{SEA}{MARKS}]*)")


def has_no_space_script(text: str) -> bool:
    """Whether ``text`` holds a letter of a script written without spaces between words."""
    return _NO_SPACE.search(text) is not None


def _ngrams(run: str, n: int) -> list[str]:
    return [run] if len(run) <= n else [run[i : i + n] for i in range(len(run) - n + 1)]


def grams(token: str) -> list[tuple[str, int]]:
    """``token`` split at its runs of the scripts written without spaces, each run into its
    character n-grams: ``(piece, n)`` with ``n`` the n-gram length of the piece's script, 0 for
    the pieces between the runs (kept as they are)."""
    out: list[tuple[str, int]] = []
    pos = 0
    for m in _RUNS.finditer(token):
        if m.start() > pos:
            out.append((token[pos : m.start()], 0))
        n = CJK_GRAM if m.group(1) else SEA_GRAM
        out.extend((g, n) for g in _ngrams(m.group(0), n))
        pos = m.end()
    if pos < len(token):
        out.append((token[pos:], 0))
    return out


def _joins(c: str) -> bool:
    """``c`` belongs to the character before it: a mark, a joiner, a variation selector, an
    emoji skin tone, a tag character."""
    o = ord(c)
    return (
        unicodedata.category(c) in ("Mn", "Mc", "Me")
        or o in (0x200C, 0x200D)
        or 0xFE00 <= o <= 0xFE0F
        or 0x1F3FB <= o <= 0x1F3FF
        or 0xE0020 <= o <= 0xE007F
        or 0xE0100 <= o <= 0xE01EF
    )


def _regional(c: str) -> bool:
    return 0x1F1E6 <= ord(c) <= 0x1F1FF


def safe_cut(text: str, at: int) -> int:
    """The largest cut ``<= at`` that does not split a letter from its marks, an emoji
    sequence joined by U+200D (or with its skin tone or variation selector), or a flag's two
    regional indicators."""
    at = max(0, min(at, len(text)))
    while 0 < at < len(text) and (_joins(text[at]) or text[at - 1] == "\u200d"):
        at -= 1
    if 0 < at < len(text) and _regional(text[at]):
        run = at
        while run > 0 and _regional(text[run - 1]):
            run -= 1
        if (at - run) % 2:
            at -= 1
    return at


def word_share(token: str) -> float:
    """Words an occurrence of ``token`` counts for: 0 for a token of other scripts (counted
    as one word where it is one), else the share of a word an n-gram stands for (a run of
    ``k`` characters gives about ``k`` n-grams: ``k / CJK_PER_WORD`` words in Chinese and
    Japanese, ``k / SEA_PER_WORD`` in Thai, Lao, Khmer and Myanmar)."""
    if not token or not has_no_space_script(token[0]):
        return 0.0
    return 1 / (p.CJK_PER_WORD if _CJK_CHAR.match(token) else p.SEA_PER_WORD)

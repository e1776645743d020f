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
  nothing or half a picture (:func:`safe_cut`).  So does a cut after a virama or Khmer's coeng
  (the consonant after it is written under the one before), after a Thai vowel written before
  its consonant ("เ") or before one written after it ("า", "ำ", not marks to Unicode).

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


_SEA_CHAR = re.compile(f"[{SEA}]")


def has_phrase_spaced_script(text: str) -> bool:
    """Whether ``text`` holds a letter of Thai, Lao, Myanmar or Khmer: their words end only at a
    space (between phrases) or a stop, where Chinese and Japanese may be cut at any character."""
    return _SEA_CHAR.search(text) is not None


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


#: Thai and Lao vowels written before the consonant they are said after (เ แ โ ใ ไ, ເ ແ ໂ ໃ ໄ):
#: a cut after one leaves it on nothing.
_PREPOSED = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4")
#: Thai and Lao vowels written after their consonant in no mark category (ะ า ำ ๅ, ະ າ ຳ): a cut
#: before one left "ทำเนีย" of "ทำเนียบ"'s syllables, or "ท" and "ำ" apart.
_FOLLOWING = frozenset("\u0e30\u0e32\u0e33\u0e45\u0eb0\u0eb2\u0eb3")


def _binds(before: str, c: str) -> bool:
    """``before`` is written with the letter ``c`` after it: a zero-width joiner, a Thai or Lao
    vowel written before its consonant, or a virama (Unicode combining class 9: the Indic
    scripts' virama, Khmer's coeng U+17D2, Burmese's U+1039) before a letter it stacks under or
    joins to the one before ("ចំនួនប្" + "រាំ": a cut there left the coeng on nothing)."""
    return before == "\u200d" or before in _PREPOSED or (unicodedata.combining(before) == 9 and c.isalpha())


def _regional(c: str) -> bool:
    return 0x1F1E6 <= ord(c) <= 0x1F1FF


def safe_cut(text: str, at: int) -> int:
    """The largest cut ``<= at`` that does not split a letter from its marks, an emoji
    sequence joined by U+200D (or with its skin tone or variation selector), a flag's two
    regional indicators, a conjunct or a stacked consonant from its virama, or a Thai or Lao
    consonant from the vowels written before and after it (:func:`_binds`, ``_FOLLOWING``)."""
    at = max(0, min(at, len(text)))
    while 0 < at < len(text) and (_joins(text[at]) or text[at] in _FOLLOWING or _binds(text[at - 1], text[at])):
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

"""A text's lines as the cleaner sees them: the units it judges, and what each looks like.  Pure.

Observations
------------
* Feeds and pages break a paragraph anywhere: hard-wrapped mail and ``.txt``
  files, a line that starts in lower case continuing the one before, a video
  player's controls glued before the lede.  The cleaner judges paragraphs, so
  :func:`split_units` puts them back together first.
* A line's look says much of what it is: its length, whether it ends like a
  sentence, its share of function words, of Title Case, digits and symbols
  (:func:`features`).
* The same template line differs in its numbers ("Views: 1021", "Views: 87"):
  :func:`line_key` is what lines are compared by, within an article and across
  a source's articles (:func:`recurring_lines`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from . import params as p
from .furniture import FIRST_PERSON, PLAYER_CONTROLS
from .words import FUNCTION_WORDS as STOPWORDS

WORD = re.compile(r"[^\W\d_](?:[\w'’.-]*\w)?|\d[\d.,:/]*")
ALPHA = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_SYMBOL_CHARS = frozenset("|#@*_\\~^")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_ENDS = ".!?…。！？"
_CLOSERS = "\"'”’)]»*」』）"


def line_key(line: str) -> str:
    """Normalized form of a line for equality across articles.

    Case, accents width, punctuation and spacing are ignored and digit runs
    become ``#`` (so "Views: 1021" and "Views: 87" are the same template line).
    """
    line = unicodedata.normalize("NFKC", line).casefold()
    line = re.sub(r"\d+", "#", line)
    return " ".join(re.sub(r"[^\w#]+", " ", line).split())


def recurring_lines(texts: Iterable[str], min_count: int = 2) -> Counter[str]:
    """Keys (``line_key``) of lines present in at least ``min_count`` of ``texts``.

    Pass the texts of one source's *different* articles; each text counts a
    line once however often it repeats it.
    """
    seen: Counter[str] = Counter()
    for text in texts:
        seen.update({k for k in (line_key(ln) for ln in text.splitlines()) if k})
    return Counter({k: n for k, n in seen.items() if n >= min_count})


@dataclass(slots=True)
class Unit:
    text: str
    words: int = 0
    sentence: bool = False
    stop_ratio: float = 0.0
    title_ratio: float = 0.0
    first_person: float = 0.0
    digits: float = 0.0
    symbols: float = 0.0
    key: str = ""
    prose: bool = False
    headline: bool = False
    reason: str | None = None


def _is_symbol(c: str) -> bool:
    return unicodedata.category(c)[0] == "S"


#: The ASCII characters counted as symbols (``_SYMBOL_CHARS`` and Unicode's symbols: "$", "+").
_ASCII_SYMBOLS = "".join(c for c in map(chr, range(128)) if c in _SYMBOL_CHARS or _is_symbol(c))
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _symbols(text: str) -> int:
    """How many of ``text``'s characters are symbols (``_SYMBOL_CHARS``, Unicode's "S"
    categories), counted without a Python step per character (a line of prose is long)."""
    n = sum(text.count(c) for c in _ASCII_SYMBOLS)
    if not text.isascii():
        n += sum(1 for c in _NON_ASCII.findall(text) if _is_symbol(c))
    return n


def count_words(tokens: list[str]) -> int:
    """Words, counting two CJK characters as one word (those scripts use no spaces)."""
    n = 0
    for t in tokens:
        cjk = len(_CJK.findall(t))
        n += max(1, cjk // p.CJK_PER_WORD) if cjk else 1
    return n


def table_row(text: str) -> bool:
    return text.count("|") >= p.TABLE_PIPES and text.startswith("|")


def features(text: str) -> Unit:
    u = Unit(text=text, key=line_key(text))
    tokens = WORD.findall(text)
    u.words = count_words(tokens)
    words = [t for t in tokens if ALPHA.match(t)]
    lower = [w.lower().replace("’", "'") for w in words]
    content = [w for w, lw in zip(words, lower, strict=True) if lw not in STOPWORDS]
    n = max(1, len(words))
    u.stop_ratio = sum(1 for lw in lower if lw in STOPWORDS) / n
    u.first_person = sum(1 for lw in lower if lw in FIRST_PERSON) / n
    u.title_ratio = sum(1 for w in content if w[0].isupper()) / len(content) if content else 0.0
    chars = max(1, len(text.replace(" ", "")))
    u.digits = len(_DIGIT.findall(text)) / chars
    u.symbols = _symbols(text) / chars
    stripped = text.rstrip().rstrip(_CLOSERS).rstrip()
    u.sentence = bool(stripped) and stripped[-1] in _ENDS and not text.rstrip().endswith("*")
    u.headline = u.words <= p.HEADLINE_WORDS and u.title_ratio >= p.HEADLINE_CAPS and len(content) >= p.HEADLINE_CONTENT
    u.prose = (
        (u.sentence and u.words >= p.PROSE_SENTENCE_WORDS and not (u.headline and u.words <= p.SHORT_HEADLINE_WORDS))
        or (u.words >= p.PROSE_RUN_WORDS and u.stop_ratio >= p.PROSE_STOPWORDS)
    ) and u.symbols < p.PROSE_SYMBOLS
    return u


def unfinished(line: str) -> bool:
    end = line.rstrip(_CLOSERS)
    return bool(end) and end[-1] not in _ENDS + ":"


def split_units(text: str, title_key: str = "") -> list[str]:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        prev_in_block = False
        lines = [line for line in (" ".join(raw.split()) for raw in block.split("\n")) if line]
        if hard_wrapped(lines):
            lines = [" ".join(lines)]
        for line in lines:
            controls = PLAYER_CONTROLS.match(line)
            if controls and line[controls.end():].strip():  # the controls apart from the lede
                out.append(controls.group(0).strip())
                line = line[controls.end():].strip()
            # A line starting in lower case continues the one before (hard-wrapped
            # text): always inside a block, across blocks when that line is unfinished.
            # Never onto the headline itself (a page's <h1> over a lede that starts
            # in lower case).
            if (out and line[0].islower() and (prev_in_block or unfinished(out[-1]))
                    and not (title_key and line_key(out[-1]) == title_key)):
                out[-1] = f"{out[-1]} {line}"
            else:
                out.append(line)
            prev_in_block = True
    return out


def hard_wrapped(lines: list[str]) -> bool:
    """A paragraph hard-wrapped at a fixed width (plain-text mail, ``.txt`` files, some feeds).

    Every line but the last is within ``WRAP_SLACK`` characters of the longest
    and ends without sentence punctuation more often than not, and not every
    line is Title Case; a box of short lines (a heading over its items) or a
    list of headlines never qualifies.
    """
    if len(lines) < 2:
        return False
    width = max(len(line) for line in lines)
    body = lines[:-1]
    if width < p.WRAP_WIDTH or any(len(line) < width - p.WRAP_SLACK for line in body):
        return False
    if sum(unfinished(line) for line in body) * 2 <= len(body):
        return False
    # a list of headlines is as even, but Title Case line by line
    return not all(features(line).headline for line in lines)

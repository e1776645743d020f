"""Search queries as each store's full-text engine wants them.  Pure.

Observations
------------
A reader types words, "a phrase" or -a-word-to-leave-out; FTS5 and
PostgreSQL read operators, column filters and stars in the same text.  A
query is therefore never passed through: it is read into words, phrases and
exclusions first, and each backend spells those in its own syntax, quoted,
so nothing the reader types is taken as an operator.

How it works
------------
:func:`parse` splits the text into terms (``Term(words, exclude)``): a
quoted stretch is one phrase; a word with a leading ``-`` is excluded.
:func:`forms` gives each term's phrases, any of which matches; :func:`fts5` writes
``("w1" OR "w1b") AND ("w2") NOT ("w3")`` (every term must match); PostgreSQL takes
the same phrases through :func:`tsquery_terms`, each read by ``phraseto_tsquery``,
joined with ``||``, ``&&`` and ``!!``.

Special cases
-------------
* Latin letters match with or without their diacritics ("etat" finds "État"), as SQLite's
  FTS5 (unicode61, remove_diacritics 2) folds them; PostgreSQL folds its index and the query's
  words alike with ``digest_search_text`` (migration 19).
* Words are split on anything that is not a letter, digit or combining mark ("covid-19"
  is the phrase "covid 19", "U.S." "u s", "9/11" "9 11"), as the text is; a mark stays in its
  word ("e" + U+0301 + "tat", "दिल्ली"), which each store's engine then reads as it read the text.
* Letters and digits meeting in one typed word match written together or
  apart: "AR15" and "AR-15" each find "AR15", "AR-15" and "AR 15"; words typed
  apart (ar 15, quoted or not) find the two written apart, not the one word
  "AR15".  Letters beside letters are not joined: "U.S." does not find "us".
* A query of exclusions only, or of no words, matches nothing.
* At most ``MAX_TERMS`` terms are kept (a pasted paragraph).
* Chinese, Japanese, Thai, Lao, Khmer and Myanmar put no space between words, and both
  engines read a run of such letters as one word: "北京" or "น้ำท่วม" (a flood) found only a
  story whose whole clause was the query (stop 55).  :func:`spaced` writes each such letter as
  a word of its own, with its marks, in the stored text and in the query alike: a phrase of
  letters then matches wherever those letters stand side by side, a substring search without a
  dictionary.  SQLite keeps these texts in a second FTS5 table (``articles_fts_spaced``, only
  the articles that hold such a letter); PostgreSQL reads them through ``digest_search_words``
  (migration 20), which spaces them as this does.
* A letter or digit in another width or compatibility form is found as its plain form
  (Unicode NFKC, :func:`folded`): "ﾆｭｰｽ" (half-width katakana) is "ニュース", "２０２６年" "2026年",
  "ＡＢＣ" "ABC", in the query and in the stored text alike (stop 56).  FTS5 and PostgreSQL's parser
  read each form as a word of its own: "2026年" found no "２０２６年", nor "ABC" "ＡＢＣ".  SQLite
  indexes the articles whose words NFKC changes in the second table, folded (migration 16);
  PostgreSQL's ``digest_search_words`` folds first (migration 21).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..text.scripts import CJK, MARKS, SEA

MAX_TERMS = 16
_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
#: within a word (:func:`_words`), a run of digits, or of letters and marks: where letters and
#: digits meet in one word
_RUN = re.compile(r"\d+|\D+")


def _words(text: str) -> list[str]:
    """The runs of letters, digits and combining marks in ``text`` that hold a letter or digit.  A
    mark is part of its word (the vowel signs of "दिल्ली", "กรุงเทพ"): PostgreSQL's parser reads the
    stored word whole, and FTS5 reads a quoted phrase as it read the text, split where its
    tokenizer splits.  Marks alone are no word: FTS5 made an empty phrase of a lone U+0301,
    which matched nothing, and PostgreSQL an empty query, which it left out ("mayor" + U+0301
    found nothing on SQLite and the mayor's story on PostgreSQL; before the marks were kept,
    both found it)."""
    runs = "".join(c if c.isalnum() or unicodedata.category(c)[0] == "M" else " " for c in text).split()
    return [w for w in runs if any(c.isalnum() for c in w)]


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]
    exclude: bool = False
    #: the term as typed (quotes and a leading ``-`` taken off): which of its letters and digits
    #: met in one word ("AR-15", "AR15": :func:`forms`)
    text: str = field(default="", compare=False)


#: The symbols NFKC makes letters or digits of ("™" "TM", "№" "No", "℃" "°C", "㈱" "(株)", "⒜"
#: "(a)"): not letters themselves, so each stood apart from the word it follows; :func:`folded`
#: keeps it apart ("Brand™" is "Brand TM", found by "brand").  Every such code point of Unicode 14
#: (test_search_width_forms computes it); PostgreSQL's ``digest_search_words`` holds the same list.
SYMBOL_WORDS = "\u20a8\u2100-\u2101\u2103\u2105-\u2106\u2109\u2116\u2120-\u2122\u213b\u249c-\u24e9\u2e9f\u2ef3\u2f00-\u2fd5\u3196-\u319f\u3200-\u321e\u322a-\u3247\u3250\u3260-\u327e\u328a-\u32b0\u32c0-\u33ff\ufdfc\U0001f110-\U0001f12e\U0001f130-\U0001f14f\U0001f16a-\U0001f16c\U0001f190\U0001f200-\U0001f202\U0001f210-\U0001f23b\U0001f240-\U0001f248\U0001f250-\U0001f251"
_SYMBOL_WORD = re.compile(f"[{SYMBOL_WORDS}]")
_SYMBOL_SPLIT = re.compile(f"([{SYMBOL_WORDS}])")


def folded(text: str | None) -> str:
    """``text`` in Unicode's NFKC form: each letter and digit in its plain width and form
    ("ＡＢＣ" "ABC", "２０２６" "2026", "ﾆｭｰｽ" "ニュース", "ﬁ" "fi"), a symbol it makes letters of
    set apart by spaces (``SYMBOL_WORDS``); a text already so (most) as it is."""
    if not text or unicodedata.is_normalized("NFKC", text):
        return text or ""
    return unicodedata.normalize("NFKC", _SYMBOL_WORD.sub(lambda m: f" {m.group(0)} ", text))


def _refolded(text: str | None, fold: str) -> bool:
    """Whether NFKC (``fold``) changed a letter or digit of ``text``: its words are then other
    words (a no-break space or "…" folded changes none)."""
    return text is not None and fold != text and [c for c in text if c.isalnum()] != [c for c in fold if c.isalnum()]


def _folded_but_symbols(query: str) -> str:
    """``query`` in NFKC form but its ``SYMBOL_WORDS``, which :func:`folded` sets apart by spaces
    later, in each term: set apart first, "-Acme™" was the exclusion "-Acme" and a term "TM" to
    find, "harbour -™" found only what it asked to leave out (review of stop 56).  A full-width
    quote or minus ("＂", "－") is read as its ASCII form, as before."""
    parts = _SYMBOL_SPLIT.split(query)
    return "".join(p if i % 2 else unicodedata.normalize("NFKC", p) for i, p in enumerate(parts))


def parse(query: str) -> list[Term]:
    """The query's terms (see the module docstring), read in NFKC form (:func:`folded`); empty
    when it asks for nothing."""
    terms: list[Term] = []
    for tok in _TOKEN.findall(_folded_but_symbols(query)):
        exclude = tok.startswith("-") and len(tok) > 1
        typed = folded(tok[1:] if exclude else tok)  # "-Acme™" leaves out "Acme TM", not keeps "TM"
        words = tuple(w.lower() for w in _words(typed))
        if words:
            terms.append(Term(words, exclude, typed.replace('"', " ").strip()))
    terms = terms[:MAX_TERMS]
    return terms if any(not t.exclude for t in terms) else []


def forms(term: Term) -> tuple[str, ...]:
    """The phrases any of which matches ``term``: its words with letters and digits apart
    ("ar15" as "ar 15"), and with them together where they met in one word as typed, across the
    punctuation between them ("AR-15" as "ar15"); one phrase when both are the same."""
    apart: list[str] = []
    together: list[str] = []
    for chunk in (term.text or " ".join(term.words)).split():  # a word as typed, punctuation kept
        runs = [r.lower() for w in _words(chunk) for r in _RUN.findall(w)]
        apart += runs
        glued: list[str] = []
        for run in runs:  # a digit run joins the letter run before it, and the reverse
            if glued and glued[-1][-1].isdigit() != run[0].isdigit():
                glued[-1] += run
            else:
                glued.append(run)
        together += glued
    if not apart:  # (a term's words are its typed text's: only a text of none has no runs)
        apart = list(term.words)
        together = apart
    first, second = " ".join(apart), " ".join(together)
    return (first,) if first == second else (first, second)


#: a letter of a script written without spaces between words, with the marks written on it
_UNSPACED = re.compile(f"[{CJK}{SEA}][{MARKS}]*")


def has_unspaced(text: str | None) -> bool:
    """Whether ``text`` holds a letter of a script written without spaces between words."""
    return text is not None and _UNSPACED.search(text) is not None


def spaced(text: str | None) -> str:
    """``text`` with each letter of Chinese, Japanese, Thai, Lao, Khmer and Myanmar (and the
    marks on it) set apart by spaces, so that an engine reads it as a word: "北京大雨" is read
    "北 京 大 雨", and the query "北京" as the phrase "北 京" finds it.  Other text is unchanged."""
    return _UNSPACED.sub(lambda m: f" {m.group(0)} ", text or "")


def spaced_row(title: str | None, text: str | None) -> tuple[str, str] | None:
    """An article's title and text as SQLite's second search table indexes them: folded
    (:func:`folded`), then spaced (:func:`spaced`); None when neither holds a letter of a script
    without spaces nor a letter or digit NFKC changes (it is not indexed there: its words are
    the same as written)."""
    ftitle, ftext = folded(title), folded(text)
    return (spaced(ftitle), spaced(ftext)) if _apart(title, ftitle, text, ftext) else None


def indexed_apart(title: str | None, text: str | None) -> bool:
    """Whether :func:`spaced_row` gives this article a row (it is indexed in the second table)."""
    return _apart(title, folded(title), text, folded(text))


def _apart(title: str | None, ftitle: str, text: str | None, ftext: str) -> bool:
    return has_unspaced(ftitle) or has_unspaced(ftext) or _refolded(title, ftitle) or _refolded(text, ftext)


def fts5(terms: list[Term]) -> str:
    """An FTS5 MATCH expression: every term its phrases quoted, any one matching; exclusions
    after NOT.  A phrase holds letters, digits and marks only (:func:`_words`): no quote to escape."""
    def quoted(t: Term) -> str:
        return "(" + " OR ".join(f'"{f}"' for f in forms(t)) + ")"

    keep = " AND ".join(quoted(t) for t in terms if not t.exclude)
    drop = " ".join(f"NOT {quoted(t)}" for t in terms if t.exclude)
    return f"{keep} {drop}".strip()


def tsquery_terms(terms: list[Term]) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """(terms to match, terms to leave out), each its phrases (:func:`forms`) as plain texts for
    PostgreSQL's ``phraseto_tsquery`` (which quotes nothing and reads no operators), any of which
    matches: the index holds the words as FTS5 does (migration 19)."""
    return [forms(t) for t in terms if not t.exclude], [forms(t) for t in terms if t.exclude]

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
:func:`fts5` writes ``"w1" "w2" NOT "w3"`` (every term must match); PostgreSQL
takes the same terms through :func:`tsquery_terms`, joined with ``&`` and
``!`` from ``plainto_tsquery``/``phraseto_tsquery`` per term.

Special cases
-------------
* Words are split on anything that is not a letter or digit ("covid-19"
  is the phrase "covid 19", as FTS5 tokenises it).  PostgreSQL's parser keeps
  some of those together ("U.S." is 'u.s', "9/11" one token, "covid-19" 'covid'
  and '-19'), so there a term also matches as typed, read by that parser.
* A query of exclusions only, or of no words, matches nothing.
* At most ``MAX_TERMS`` terms are kept (a pasted paragraph).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_TERMS = 16
_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]
    exclude: bool = False
    #: the term as typed (quotes and a leading ``-`` taken off): PostgreSQL's parser reads it
    #: as it read the text ("AR-15", "U.S.", "9/11"), where the words alone do not match there
    text: str = field(default="", compare=False)


def parse(query: str) -> list[Term]:
    """The query's terms (see the module docstring); empty when it asks for nothing."""
    terms: list[Term] = []
    for tok in _TOKEN.findall(query):
        exclude = tok.startswith("-") and len(tok) > 1
        typed = tok[1:] if exclude else tok
        words = tuple(w.lower() for w in _WORD.findall(typed))
        if words:
            terms.append(Term(words, exclude, typed.replace('"', " ").strip()))
    terms = terms[:MAX_TERMS]
    return terms if any(not t.exclude for t in terms) else []


def fts5(terms: list[Term]) -> str:
    """An FTS5 MATCH expression: every term a quoted phrase, exclusions after NOT."""
    def quoted(t: Term) -> str:
        return '"' + " ".join(t.words) + '"'

    keep = " ".join(quoted(t) for t in terms if not t.exclude)
    drop = " ".join(f"NOT {quoted(t)}" for t in terms if t.exclude)
    return f"{keep} {drop}".strip()


def tsquery_terms(terms: list[Term]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(terms to match, terms to leave out), each as two plain texts for PostgreSQL's
    ``phraseto_tsquery`` (which quotes nothing and reads no operators), either of which
    matches: the term as typed, which PostgreSQL's parser reads as it read the stored text
    ("AR-15" as 'ar' and '-15', "U.S." as 'u.s', "9/11" as one token), and its words (as
    FTS5 reads them: "AR 15" in a text is found by "AR-15")."""
    def pair(t: Term) -> tuple[str, str]:
        return (t.text or " ".join(t.words), " ".join(t.words))

    return [pair(t) for t in terms if not t.exclude], [pair(t) for t in terms if t.exclude]

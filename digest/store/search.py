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
  is the phrase "covid 19", as both indexes tokenise it).
* A query of exclusions only, or of no words, matches nothing.
* At most ``MAX_TERMS`` terms are kept (a pasted paragraph).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TERMS = 16
_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]
    exclude: bool = False


def parse(query: str) -> list[Term]:
    """The query's terms (see the module docstring); empty when it asks for nothing."""
    terms: list[Term] = []
    for tok in _TOKEN.findall(query):
        exclude = tok.startswith("-") and len(tok) > 1
        words = tuple(w.lower() for w in _WORD.findall(tok[1:] if exclude else tok))
        if words:
            terms.append(Term(words, exclude))
    terms = terms[:MAX_TERMS]
    return terms if any(not t.exclude for t in terms) else []


def fts5(terms: list[Term]) -> str:
    """An FTS5 MATCH expression: every term a quoted phrase, exclusions after NOT."""
    def quoted(t: Term) -> str:
        return '"' + " ".join(t.words) + '"'

    keep = " ".join(quoted(t) for t in terms if not t.exclude)
    drop = " ".join(f"NOT {quoted(t)}" for t in terms if t.exclude)
    return f"{keep} {drop}".strip()


def tsquery_terms(terms: list[Term]) -> tuple[list[str], list[str]]:
    """(phrases to match, phrases to leave out) as plain text for PostgreSQL's
    ``phraseto_tsquery`` (which quotes nothing and reads no operators)."""
    return [" ".join(t.words) for t in terms if not t.exclude], [" ".join(t.words) for t in terms if t.exclude]

"""Mute and boost rules: which stories a digest leaves out or puts first.

Observations
------------
* Rules are regular expressions written by the reader and run over text
  written by strangers: a catastrophic pattern (``(a+)+$``) on a crafted
  article must not hang a run.  RE2 (google-re2) matches in time linear in
  the text, whatever the pattern, and refuses backreferences and lookarounds
  at compile time, so a bad rule is a configuration error, not a hang.
* RE2's ``\\b``, ``\\B``, ``\\w`` and ``\\W`` know ASCII letters only: ``\\bвойна\\b``
  compiles and never matches.  Such a class written beside a letter that is not
  ASCII is refused with the spelling that works (``\\pL`` is any letter).
* A rule that matches empty text matches every version (``horoscope|``: a stray
  ``|``); without a scope it would mute (or boost) every story, so the
  configuration refuses it (:func:`matches_everything`).  With a scope it
  means "every version of these sources", which is allowed.
* A rule is judged per version: a story is muted when any of its versions
  matches a mute rule whose scope (categories and/or sources) covers that
  version's source.

How it works
------------
:func:`compile_pattern` compiles case-insensitively with RE2 (errors as one
``ValueError`` line, RE2's own logging off); :class:`Rules` holds a digest's
compiled rules; :meth:`Rules.first` returns the first rule of a kind that
matches any of the given versions, over title and text (at most
``MAX_CHARS`` characters of each).  The rules of a kind are also one RE2
set, which reads a text once for all of them: a digest with hundreds of
rules costs one pass per version, not one per rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import re2

#: Characters of a version's text a rule reads (RE2 is linear; this bounds the total).
MAX_CHARS = 100_000

#: Pattern pieces: an escape (``\\pL``, ``\\p{Greek}``, ``\\x{e9}``, ``\\b``), a class, a group
#: opening or closing, a quantifier, or one character.
_PIECE = re.compile(
    r"\\[pPx]\{[^}]*\}|\\[pP].|\\.|\[\^?\]?(?:\[:[^:]*:\]|\\.|[^\]])*\]|\((?:\?P?<[^>]*>|\?[^:)<]*[:)])?|\)"
    r"|[*+?](?:[?+])?|\{\d*(?:,\d*)?\}\??|.",
    re.S,
)
_ASCII_CLASSES = {"\\b", "\\B", "\\w", "\\W"}


def _ascii_class_beside_other_letters(pattern: str) -> tuple[str, str] | None:
    """(the ASCII class, the letter beside it) when ``\\b``/``\\w`` stand next to a letter
    that is not ASCII: the next (or previous) piece, through quantifiers and into each
    branch of a group (``\\b(café|crème)\\b``); else None."""
    pieces = _PIECE.findall(pattern)
    partner: dict[int, int] = {}
    stack: list[int] = []
    for i, piece in enumerate(pieces):
        if piece.startswith("(") and not piece.endswith(")"):  # not a flag group, "(?i)"
            stack.append(i)
        elif piece == ")" and stack:
            j = stack.pop()
            partner[i], partner[j] = j, i

    def letter(piece: str) -> str | None:
        if piece.startswith("\\") or piece == "|":
            return None
        body = piece[1:-1] if piece.startswith("[") and len(piece) > 1 else piece
        return next((c for c in body if c.isalnum() and not c.isascii()), None)

    def edge(j: int, step: int, depth: int = 0) -> str | None:
        """A non-ASCII letter at the edge met walking from ``j`` by ``step``."""
        while 0 <= j < len(pieces) and pieces[j][0] in "*+?{" and pieces[j] != "{":
            j += step
        if not 0 <= j < len(pieces) or depth > 20:
            return None
        opens = pieces[j].startswith("(") if step == 1 else pieces[j] == ")"
        if opens and j in partner:  # each branch of the group, from this side
            lo, hi = sorted((j, partner[j]))
            level, starts = 0, [j + step]
            for k in range(lo + 1, hi):
                level += pieces[k].startswith("(") - (pieces[k] == ")")
                if pieces[k] == "|" and level == 0:
                    starts.append(k + step)
            return next((c for b in starts if (c := edge(b, step, depth + 1))), None)
        if pieces[j].startswith("(") or pieces[j] == ")":  # leaving a group: what follows it
            return edge(j + step, step, depth + 1)
        return letter(pieces[j])

    for i, piece in enumerate(pieces):
        if piece in _ASCII_CLASSES:
            found = edge(i + 1, 1) or edge(i - 1, -1)
            if found:
                return piece, found
    return None


def compile_pattern(pattern: str) -> Any:
    """The pattern compiled with RE2, case-insensitive; ``ValueError`` when RE2 refuses it."""
    opts = re2.Options()
    opts.log_errors = False
    opts.case_sensitive = False
    try:
        compiled = re2.compile(pattern, opts)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(f"bad regular expression {pattern!r}: {detail}") from None
    beside = _ascii_class_beside_other_letters(pattern)
    if beside is not None:
        cls, ch = beside
        raise ValueError(
            f"regular expression {pattern!r}: {cls} reads ASCII letters only (RE2) and never matches "
            f"beside {ch!r}: write \\pL for any letter, (^|\\PL)word(\\PL|$) for a whole word"
        )
    return compiled


def matches_everything(compiled: Any) -> bool:
    """Whether a compiled rule matches empty text, so every version (``a|``, ``x*``, ``""``)."""
    return bool(compiled.search(""))


class RuleSpec(Protocol):
    """What a configured rule gives (``digest.config.FilterRule``)."""

    @property
    def kind(self) -> str: ...
    @property
    def pattern(self) -> str: ...
    categories: list[str]
    sources: list[str]


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str  # "mute" | "boost"
    pattern: str
    compiled: Any
    categories: frozenset[str]
    sources: frozenset[str]

    def covers(self, source: str, category: str | None) -> bool:
        if not self.categories and not self.sources:
            return True
        return source in self.sources or (category is not None and category in self.categories)

    def matches(self, title: str, text: str) -> bool:
        return bool(self.compiled.search(title[:MAX_CHARS]) or self.compiled.search(text[:MAX_CHARS]))


@dataclass(frozen=True, slots=True)
class Version:
    """The part of a version a rule reads."""

    source: str
    category: str | None
    title: str
    text: str


class _Readable(Protocol):
    source: str
    title: str
    text: str


def versions(items: Iterable[_Readable], category_of: dict[str, str]) -> list[Version]:
    """What the rules read of each version (a shown version, a stored article)."""
    return [Version(v.source, category_of.get(v.source), v.title, v.text) for v in items]


class Rules:
    """A digest's compiled rules (the global ones, then its own)."""

    def __init__(self, specs: Iterable[RuleSpec]) -> None:
        self.rules = [
            Rule(s.kind, s.pattern, compile_pattern(s.pattern), frozenset(s.categories), frozenset(s.sources))
            for s in specs
        ]

        self.any_of = {kind: _any_of([r for r in self.rules if r.kind == kind]) for kind in ("mute", "boost")}

    def __bool__(self) -> bool:
        return bool(self.rules)

    def first(self, kind: str, versions: Sequence[Version]) -> Rule | None:
        """The first rule of ``kind`` that matches a version it covers; None when none does.

        The kind's rules as one alternation read each version first: a version it does not
        match (most) matches no rule, and only the others are read rule by rule."""
        any_of = self.any_of.get(kind)
        if any_of is not None:
            versions = [v for v in versions if any_of.search(v.title[:MAX_CHARS]) or any_of.search(v.text[:MAX_CHARS])]
            if not versions:
                return None
        for rule in self.rules:
            if rule.kind == kind and any(
                rule.covers(v.source, v.category) and rule.matches(v.title, v.text) for v in versions
            ):
                return rule
        return None


def _any_of(rules: Sequence[Rule]) -> Any:
    """The rules' patterns as one RE2 alternation, ``(?:p1)|(?:p2)|…``: it matches a text
    exactly when one of them does (RE2 keeps inline flags to their group); None for fewer
    than two rules, or when RE2 will not build it (its memory budget, a ``\\Q`` left open),
    and the rules are then read one by one."""
    if len(rules) < 2:
        return None
    try:
        return compile_pattern("|".join(f"(?:{r.pattern})" for r in rules))
    except ValueError:
        return None

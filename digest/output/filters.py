"""Mute and boost rules: which stories a digest leaves out or puts first.

Observations
------------
* Rules are regular expressions written by the reader and run over text
  written by strangers: a catastrophic pattern (``(a+)+$``) on a crafted
  article must not hang a run.  RE2 (google-re2) matches in time linear in
  the text, whatever the pattern, and refuses backreferences and lookarounds
  at compile time, so a bad rule is a configuration error, not a hang.
* A rule is judged per version: a story is muted when any of its versions
  matches a mute rule whose scope (categories and/or sources) covers that
  version's source.

How it works
------------
:func:`compile_pattern` compiles case-insensitively with RE2 (errors as one
``ValueError`` line, RE2's own logging off); :class:`Rules` holds a digest's
compiled rules; :meth:`Rules.first` returns the first rule of a kind that
matches any of the given versions, over title and text (at most
``MAX_CHARS`` characters of each).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import re2

#: Characters of a version's text a rule reads (RE2 is linear; this bounds the total).
MAX_CHARS = 100_000


def compile_pattern(pattern: str) -> Any:
    """The pattern compiled with RE2, case-insensitive; ``ValueError`` when RE2 refuses it."""
    opts = re2.Options()
    opts.log_errors = False
    opts.case_sensitive = False
    try:
        return re2.compile(pattern, opts)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(f"bad regular expression {pattern!r}: {detail}") from None


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

    def __bool__(self) -> bool:
        return bool(self.rules)

    def first(self, kind: str, versions: Sequence[Version]) -> Rule | None:
        """The first rule of ``kind`` that matches a version it covers; None when none does."""
        for rule in self.rules:
            if rule.kind == kind and any(
                rule.covers(v.source, v.category) and rule.matches(v.title, v.text) for v in versions
            ):
                return rule
        return None

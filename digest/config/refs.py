"""Names in a configuration that must name something: sections and filter scopes.

Observations
------------
A digest's ``sections`` and a filter's ``categories`` and ``sources`` name the
sources' categories and names.  Misspelt ("Sports" for "Sport"), they match
nothing, and nothing says so: every story lands under "Other", a mute rule
mutes nothing.  So each is checked once the sources are known (after OPML
lists are expanded: their folders are categories), and an unknown one is a
configuration error at its own line, with the closest known name.

How it works
------------
:func:`unknown_names` walks ``digests[i].sections``, ``filters[k]`` and
``digests[i].filters[k]`` (``categories``, ``sources``) and returns one
``(line, message)`` per name that names nothing, for ``digest.config`` to
raise with the rest.  "Other" may be listed as a section (it places the
stories of no listed category).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Any

from .model import OTHER, Config, FilterRule

LineOf = Callable[[Any, tuple[Any, ...]], "int | None"]


def unknown_names(cfg: Config, node: Any, line_of: LineOf) -> list[tuple[int, str]]:
    """One ``(line, message)`` per section, filter category or filter source naming nothing."""
    categories = list(dict.fromkeys(s.category for s in cfg.sources if s.category))
    names = [s.name for s in cfg.sources]
    out: list[tuple[int, str]] = []

    def check(value: str, known: Sequence[str], kind: str, loc: tuple[Any, ...], also: str = "") -> None:
        if value in known or value == also:
            return
        close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
        what = "categories of the sources" if kind == "category" else "sources"
        hint = (f"; did you mean {close[0]!r}?" if close else "") + (
            f" ({what}: {', '.join(known)})" if known else (
                " (no source has a category)" if kind == "category" else " (no sources)")
        )
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        subject = "no source has the category" if kind == "category" else "no source is named"
        out.append((line_of(node, loc) or 0, f"{path}: {subject} {value!r}{hint}"))

    def rules(rules: list[FilterRule], loc: tuple[Any, ...]) -> None:
        for k, rule in enumerate(rules):
            for j, cat in enumerate(rule.categories):
                check(cat, categories, "category", (*loc, k, "categories", j))
            for j, src in enumerate(rule.sources):
                check(src, names, "source", (*loc, k, "sources", j))

    rules(cfg.filters, ("filters",))
    for i, d in enumerate(cfg.digests):
        for j, section in enumerate(d.sections):
            check(section, categories, "category", ("digests", i, "sections", j), also=OTHER)
        rules(d.filters, ("digests", i, "filters"))
    return out

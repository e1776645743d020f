"""An email's fit: which of a day's stories its HTML and text parts show in full, which by
title only, and which they only count; the templates' context made to show them so.

:mod:`digest.output.mailsize` chooses the fit (the most stories in full that keep the HTML
part under the size mail clients show whole); :mod:`digest.output.render` applies it
(:func:`apply_fit`).  Kept apart from the choosing, which renders, so that rendering does not
import the module that calls it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from ..records import ALSO_REPORTED, DigestView, newest_first
from .numbers import format_count
from .params import BACKLOG_LINES, TOC_LINES

__all__ = ["Fit", "apply_fit", "ranked"]


@dataclass(frozen=True, slots=True)
class Fit:
    """Which stories an email shows in ``full`` and which by title only (``listed``);
    any other is counted in its section, not named."""

    full: frozenset[str]
    listed: frozenset[str]


def ranked(view: DigestView) -> list[str]:
    """The view's story ids in the order they get a place in full: each section's first
    story in turn (in the sections' order), then each one's second, and so on; so the
    stories of a section in full are its first ones."""
    sections = [sec.stories for sec in view.sections] or [view.stories]
    sections = [[s for s in sec if s.status != ALSO_REPORTED] for sec in sections]  # one line each, always
    # one line each, the last named, newest first (as listed)
    backlog = [s.story_id for s in newest_first([s for sec in sections for s in sec if s.backlog])]
    sections = [[s for s in sec if not s.backlog] for sec in sections]
    return [s.story_id for rank in zip_longest(*sections) for s in rank if s is not None] + backlog


def apply_fit(ctx: dict[str, Any], fit: Fit | None) -> dict[str, Any]:
    """The templates' context with each section's ``shown`` (the stories in full), ``more``
    (by title only) and ``left`` (how many are not named); ``fit``: how many of each
    (None: every story in full, as the digest files show them).  Each section's contents
    (``toc``) name at most ``params.TOC_LINES`` of ``shown`` (``toc_left``: the others), and the
    backlog's lines (``backlog_shown``) are at most ``params.BACKLOG_LINES`` (stop 65)."""
    for sec in ctx["sections"]:
        stories = sec["stories"]
        if fit is None:
            sec.update(shown=stories, more=[], left=0)
            continue
        shown = [s for s in stories if s["story_id"] in fit.full]
        more = [s for s in stories if s["story_id"] in fit.listed]
        sec.update(shown=shown, more=more, left=len(stories) - len(shown) - len(more))
    for sec in ctx["sections"]:  # the contents: the first ``TOC_LINES`` in full, the rest counted
        sec.update(toc=sec["shown"][:TOC_LINES], toc_left=max(0, len(sec["shown"]) - TOC_LINES))
    backlog = ctx.get("backlog", [])  # a line each: named while the fit names them (the last of its order)
    named = backlog if fit is None else [s for s in backlog if s["story_id"] in fit.full | fit.listed]
    named = named[:BACKLOG_LINES]  # a huge first read's: the newest, the others counted
    ctx.update(backlog_shown=named, backlog_left=len(backlog) - len(named))
    if fit is not None:
        full = sum(len(sec["shown"]) for sec in ctx["sections"])
        listed = sum(len(sec["more"]) for sec in ctx["sections"])
        left = len(ctx["stories"]) - full - listed
        ctx["fit"] = {"full": full, "listed": listed, "left": left,
                      "said": _said(full, listed, left, bool(ctx["sectioned"]), ctx["backlog_left"], ctx.get("locale"))}
    else:
        ctx["fit"] = None
    return ctx


def _said(full: int, listed: int, left: int, sectioned: bool, earlier_left: int = 0, locale: str | None = None) -> str:
    """The line that says what a long day's email shows, and where the rest is
    (``earlier_left``: the stories of a new source's backlog not named; ``locale``: its counts
    grouped as the page's, "1,003")."""

    def c(n: int) -> str:
        return format_count(n, locale)

    if left:
        each = " (each section says how many)" if sectioned else ""
        first = f"the first {c(full)} in full, " if full > 1 else "the first in full, " if full else ""
        what = f"{first}{c(listed)} are listed by title only, {c(left)} not listed here{each}"
    elif full and listed:
        after = "after the full ones of their section" if sectioned else "after them"
        what = f"{c(full)} {'is' if full == 1 else 'are'} in full, the other {c(listed)} by title only, {after}"
    elif full:  # the earlier news alone did not fit
        what = f"{'the one' if full == 1 else f'all {c(full)}'} in full"
    elif listed:
        what = f"all {c(listed)} are listed by title only"
    else:
        what = ""
    if earlier_left:  # the backlog's lines are the last named
        more = f"{c(earlier_left)} {'story' if earlier_left == 1 else 'stories'} of earlier news not listed here"
        what = f"{what}; {more}" if what else more
    return (f"Too many stories for one email: {what}. "
            "Every story in full: the day's HTML digest, or the archive (digest serve).")

"""The daily email kept to the size mail clients show whole.

Observations
------------
* Gmail clips an HTML part over about 102 KB ("[Message clipped] View entire message"):
  everything after the cut, the footer too (the sources failing, when it was made), is
  behind a link; other clients slow down on a message of a megabyte.  Measured
  (docs/evaluation.md, "Reviews (stop 35): mailsize"): one day of ECB+, GVC and
  scrapinghub articles from 30 outlets replayed into a store, 325 stories; the email's
  HTML part of its first 10 stories was 81 KB, of 50: 337 KB, of 150: 647 KB, of 300:
  905 KB (the whole message 1.4 MB).  About a third of those bytes are the inline styles
  mail clients need (they drop ``<style>``), half the "also reported by" lists of the
  stories many outlets carried.
* A reader of a long day wants every story named, the most carried ones in full, each
  section's in its place, and the footer; and to be told plainly that the rest is short
  and where the whole digest is.

How it works
------------
:func:`email_parts` renders the HTML part as it always was: within
:data:`EMAIL_HTML_BUDGET` (counted as the message carries it, transfer encoding and all:
:func:`carried_size`) it goes out as it is (a small day's mail is byte for byte what
it was).  Over it, the stories are ranked for a place in full (:func:`ranked`: each
section's first story in turn, then each one's second, ...); the most of that order that
fit are shown in full and the others by title only (a link; a developing one with its
"Developing" line), after the full ones of their section, with a line under the counts saying how many and where the whole digest is.  When
even the titles do not all fit, the day's first :data:`MIN_IN_FULL` stories stay in full
(fewer where they alone pass the budget), as many titles as fit follow, and each section
says how many more it holds.  The header, the contents (of the stories in full), the muted line and the
footer are always there.  The text part shows the same stories in the same way and order.

Special cases: a user's own ``digest.md.j2`` that does not know a section's ``shown`` and
``more`` lists every story in full, as before (nothing is lost; the mail stays long), and so
does the text part: an HTML part that the titles-only fit does not make smaller is sent
whole, with the whole text part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from itertools import zip_longest
from typing import Any

import jinja2

from ..records import ALSO_REPORTED, DigestView, newest_first

__all__ = ["EMAIL_HTML_BUDGET", "MIN_IN_FULL", "Fit", "apply_fit", "carried_size", "email_parts", "ranked"]

#: Bytes of the email's HTML part at most, as the message carries it (:func:`carried_size`):
#: Gmail clips one over about 102 KB, hiding the footer, and some were seen clipped a little
#: under; 90 KB leaves room.  Measured (docs/evaluation.md): a replayed day's 300 stories made
#: 1,024 KB so (905 KB of HTML), its first 10 stories 91 KB (81 KB): quoted-printable adds
#: about a tenth (``=3D`` in every style attribute, a soft break every 76 characters).
EMAIL_HTML_BUDGET = 90 * 1024

#: Stories in full even on a day whose titles alone pass the budget: the day's first ones (by
#: :func:`ranked`), read before the list.  Without them a 300-story day's mail was titles only
#: (docs/evaluation.md, "Reviews (stop 35): mailsize"); three of ECB+'s most carried stories
#: (17 outlets each) take about 27 KB of the 90, leaving the rest to titles.
MIN_IN_FULL = 3


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
    (None: every story in full, as the digest files show them)."""
    for sec in ctx["sections"]:
        stories = sec["stories"]
        if fit is None:
            sec.update(shown=stories, more=[], left=0)
            continue
        shown = [s for s in stories if s["story_id"] in fit.full]
        more = [s for s in stories if s["story_id"] in fit.listed]
        sec.update(shown=shown, more=more, left=len(stories) - len(shown) - len(more))
    backlog = ctx.get("backlog", [])  # a line each: named while the fit names them (the last of its order)
    named = backlog if fit is None else [s for s in backlog if s["story_id"] in fit.full | fit.listed]
    ctx.update(backlog_shown=named, backlog_left=len(backlog) - len(named))
    if fit is not None:
        full = sum(len(sec["shown"]) for sec in ctx["sections"])
        listed = sum(len(sec["more"]) for sec in ctx["sections"])
        left = len(ctx["stories"]) - full - listed
        ctx["fit"] = {"full": full, "listed": listed, "left": left,
                      "said": _said(full, listed, left, bool(ctx["sectioned"]), ctx["backlog_left"])}
    else:
        ctx["fit"] = None
    return ctx


def _said(full: int, listed: int, left: int, sectioned: bool, earlier_left: int = 0) -> str:
    """The line that says what a long day's email shows, and where the rest is
    (``earlier_left``: the stories of a new source's backlog not named)."""
    if left:
        each = " (each section says how many)" if sectioned else ""
        first = f"the first {full} in full, " if full > 1 else "the first in full, " if full else ""
        what = f"{first}{listed} are listed by title only, {left} not listed here{each}"
    elif full and listed:
        after = "after the full ones of their section" if sectioned else "after them"
        what = f"{full} {'is' if full == 1 else 'are'} in full, the other {listed} by title only, {after}"
    elif full:  # the earlier news alone did not fit
        what = f"{'the one' if full == 1 else f'all {full}'} in full"
    elif listed:
        what = f"all {listed} are listed by title only"
    else:
        what = ""
    if earlier_left:  # the backlog's lines are the last named
        more = f"{earlier_left} {'story' if earlier_left == 1 else 'stories'} of earlier news not listed here"
        what = f"{what}; {more}" if what else more
    return (f"Too many stories for one email: {what}. "
            "Every story in full: the day's HTML digest, or the archive (digest serve).")


def carried_size(html: str) -> int:
    """Bytes of ``html`` as the email carries it: the HTML part, its headers and its body in
    the transfer encoding the email package picks for it (as :func:`digest.output.mailer.
    build_message` adds it: quoted-printable for mostly ASCII text, base64 for mostly another
    script, whose letters take several bytes each), with the SMTP line ends."""
    part = EmailMessage(policy=SMTP_POLICY)
    part.set_content(html, subtype="html", charset="utf-8")
    return len(part.as_bytes())


def email_parts(
    view: DigestView,
    *,
    env: jinja2.Environment | None = None,
    tz: tzinfo | None = None,
    excerpt_chars: int = 400,
    locale: str | None = None,
    budget: int = EMAIL_HTML_BUDGET,
) -> tuple[str, str]:
    """The email's HTML and text parts: every story in full when the HTML part fits
    ``budget`` bytes (:func:`carried_size`), else the most stories in full that let it fit and
    the others by title (see the module docstring)."""
    from .render import render_email_html, render_text

    opts: dict[str, Any] = {"env": env, "tz": tz, "excerpt_chars": excerpt_chars, "locale": locale}
    html = render_email_html(view, **opts)
    size = carried_size(html)
    if size <= budget:
        return html, render_text(view, **opts)
    order = ranked(view)

    def fit_of(full: int, listed: int) -> Fit:
        return Fit(frozenset(order[:full]), frozenset(order[full : full + listed]))

    def render(fit: Fit) -> str:
        return render_email_html(view, fit=fit, **opts)

    best: tuple[Fit, str] | None = None
    least = fit_of(0, len(order))
    whole, html = html, render(least)
    # a template of the user's shows every story whatever the fit (a day of a new source's
    # backlog alone is as long by titles: its lines are titles; named as they fit, the others counted)
    if carried_size(html) >= size and (not view.backlog or carried_size(render(fit_of(0, 0))) >= size):
        return whole, render_text(view, **opts)  # the text part shows them all too
    if carried_size(html) <= budget:  # every title fits: the most stories in full that do too
        best, lo, hi = (least, html), 0, len(order)  # lo fits; hi does not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            fit = fit_of(mid, len(order) - mid)
            html = render(fit)
            if carried_size(html) <= budget:
                best, lo = (fit, html), mid
            else:
                hi = mid
    else:  # not even every title: the day's first stories in full, then the most titles that fit
        full = min(MIN_IN_FULL, len(order))
        best = (fit_of(full, 0), render(fit_of(full, 0)))
        while full and carried_size(best[1]) > budget:  # a budget too small for them: fewer
            full -= 1
            best = (fit_of(full, 0), render(fit_of(full, 0)))
        lo, hi = 0, len(order) - full + 1  # lo titles fit; hi do not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            fit = fit_of(full, mid)
            html = render(fit)
            if carried_size(html) <= budget:
                best, lo = (fit, html), mid
            else:
                hi = mid
    fit, html = best
    return html, render_text(view, fit=fit, **opts)

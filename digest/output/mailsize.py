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

from datetime import tzinfo
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from typing import Any

import jinja2

from ..records import DigestView
from .mailfit import Fit, apply_fit, ranked
from .render import render_email_html, render_text

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

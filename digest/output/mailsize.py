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
"Developing" line), after the full ones of their section, with a line under the counts saying how many and where the whole digest is
(that most is found from an estimate of each story's bytes and settled by rendering it and
the next: :func:`_most`).  When
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

from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import tzinfo
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from typing import Any

import jinja2

from ..records import DigestView, StoryView
from .mailfit import Fit, apply_fit, ranked
from .params import EARLIER_EXCERPT_CHARS, FIT_OUTLET_BYTES, FIT_STORY_BYTES, FIT_TITLE_BYTES
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

    least = fit_of(0, len(order))
    whole, html = html, render(least)
    # a template of the user's shows every story whatever the fit (a day of a new source's
    # backlog alone is as long by titles: its lines are titles; named as they fit, the others counted)
    if carried_size(html) >= size and (not view.backlog or carried_size(render(fit_of(0, 0))) >= size):
        return whole, render_text(view, **opts)  # the text part shows them all too
    by_id = {s.story_id: s for s in view.stories}
    if (least_size := carried_size(html)) <= budget:  # every title fits: the most stories in full that do too
        gain = [_full_cost(by_id[sid], excerpt_chars) for sid in order]
        best = _most(0, len(order), (least_size, size), gain, lambda k: fit_of(k, len(order) - k), render, budget,
                     (least, html))
    else:  # not even every title: the day's first stories in full, then the most titles that fit
        full = min(MIN_IN_FULL, len(order))
        best = (fit_of(full, 0), render(fit_of(full, 0)))
        while full and carried_size(best[1]) > budget:  # a budget too small for them: fewer
            full -= 1
            best = (fit_of(full, 0), render(fit_of(full, 0)))
        gain = [_title_cost(by_id[sid]) for sid in order[full:]]
        best = _most(0, len(order) - full + 1, (carried_size(best[1]), least_size), gain,
                     lambda k: fit_of(full, k), render, budget, best)
    fit, html = best
    return html, render_text(view, fit=fit, **opts)


def _full_cost(story: StoryView | None, excerpt_chars: int) -> int:
    """About the bytes ``story`` in full adds to the HTML part over its title line: its excerpt,
    its line of what is new, a line for each other outlet, and their markup (a developing story
    leading with the day's version: its excerpt, and the lead's under "Earlier").  An estimate for
    :func:`_most`'s first guess; the renderings decide."""
    if story is None:
        return FIT_STORY_BYTES
    others = sum(FIT_OUTLET_BYTES + len(v.title) + len(v.url or "") + len(v.source) for v in story.also)
    told = story.news_lead or story.lead
    earlier = FIT_OUTLET_BYTES + min(len(story.lead.text or ""), EARLIER_EXCERPT_CHARS) if story.news_lead else 0
    return FIT_STORY_BYTES + min(len(told.text or ""), excerpt_chars) + len(story.whats_new) + others + earlier


def _title_cost(story: StoryView | None) -> int:
    """About the bytes ``story``'s title line adds (:func:`_full_cost`'s for a line by title)."""
    return FIT_TITLE_BYTES + (0 if story is None else len(story.title) + len(story.lead.url or ""))


def _most(
    lo: int, hi: int, sizes: tuple[int, int], cost: Sequence[int], fit_at: Callable[[int], Fit],
    render: Callable[[Fit], str], budget: int, best: tuple[Fit, str],
) -> tuple[Fit, str]:
    """The fit of the greatest count from ``lo`` to ``hi - 1`` (stories in full, or titles)
    whose HTML part fits ``budget``: ``lo`` fits (``best``, its fit and HTML), ``hi`` is taken
    not to (never rendered); ``sizes``: the part's carried size at ``lo`` and about that at
    ``hi``; ``cost``: about what each count more adds (:func:`_full_cost`, :func:`_title_cost`).

    Each count more adds its story's lines (a story in full holds its title line's and more, a
    title added its line), so the size grows with the count, and the count found is the one
    the halving search that chose it before finds, byte for byte the same mail, by fewer
    renderings (stop 62: the halving took 6-8 of a day of 50-150 stories, 2-3 now).  The count
    tried is where the budget is crossed at the rate the last two sizes learnt grew by along
    the costs (first: the least and the whole day's); the one beside it then settles it.
    Three tries in a row on one side of the budget, it halves."""
    cum = [0]
    for c in cost:
        cum.append(cum[-1] + max(c, 1))
    while len(cum) <= hi:
        cum.append(cum[-1] + 1)
    (a, at_a), (b, at_b) = (lo, sizes[0]), (hi, max(sizes[1], budget + 1))
    known = [(cum[a], at_a), (cum[b], at_b)]  # the two sizes learnt last, along the costs
    side = 0  # probes in a row that fitted (> 0) or did not (< 0)
    while b - a > 1:
        (c1, s1), (c2, s2) = known[-2:]
        if abs(side) >= 3 or c1 == c2 or s1 == s2 or (s2 - s1) / (c2 - c1) <= 0:
            mid = (a + b) // 2
        else:  # where the budget is crossed at the rate the last two sizes grew by
            want = cum[a] + (budget - at_a) * (c2 - c1) / (s2 - s1)
            mid = min(max(bisect_right(cum, want, a, b) - 1, a + 1), b - 1)
        fit = fit_at(mid)
        html = render(fit)
        known.append((cum[mid], size := carried_size(html)))
        if size <= budget:
            (a, at_a), best, side = (mid, size), (fit, html), max(side, 0) + 1
        else:
            (b, at_b), side = (mid, size), min(side, 0) - 1
    return best

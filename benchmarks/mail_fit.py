"""The email's fit to its size budget: renderings and seconds now, against the halving it was.

How it works
------------
* :func:`halved` is ``mailsize.email_parts`` as it was until stop 62: the count of stories in
  full (or, where not every title fits, of titles) found by halving, a rendering of the HTML
  part each step.  ``tests/test_review_stop35_mailsize.py`` holds the mail to it, byte for
  byte.
* :func:`compare` takes a day's view (the daily digest's, as ``digest send`` builds it) and,
  at each budget, makes the email's parts both ways in this process: the renderings
  (``render_email_html`` calls), the seconds (the best of ``--repeat``), whether both gave
  the same parts.

    python -m benchmarks.mail_fit --config feeds.yaml --date 2026-11-30 [--budget 92160 ...]

``benchmarks.year_store`` runs it on its year's last day.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, tzinfo
from typing import Any

import jinja2

from digest.config import Config, load_config
from digest.output import mailsize
from digest.output.digests import digest_view, plans
from digest.output.mailsize import (
    EMAIL_HTML_BUDGET,
    MIN_IN_FULL,
    Fit,
    carried_size,
    email_parts,
    ranked,
)
from digest.output.render import make_env, render_email_html, render_text
from digest.records import DigestView
from digest.store.base import open_store


def halved(
    view: DigestView, budget: int = EMAIL_HTML_BUDGET, *, env: jinja2.Environment | None = None,
    tz: tzinfo | None = None, excerpt_chars: int = 400, locale: str | None = None,
) -> tuple[str, str]:
    """The email's HTML and text parts as ``email_parts`` chose them before stop 62 (its code,
    the halving of stop 35-36)."""
    opts: dict[str, Any] = {"env": env, "tz": tz, "excerpt_chars": excerpt_chars, "locale": locale}
    html = mailsize.render_email_html(view, **opts)
    size = carried_size(html)
    if size <= budget:
        return html, render_text(view, **opts)
    order = ranked(view)

    def fit_of(full: int, listed: int) -> Fit:
        return Fit(frozenset(order[:full]), frozenset(order[full : full + listed]))

    def render(fit: Fit) -> str:
        return mailsize.render_email_html(view, fit=fit, **opts)

    least = fit_of(0, len(order))
    whole, html = html, render(least)
    if carried_size(html) >= size and (not view.backlog or carried_size(render(fit_of(0, 0))) >= size):
        return whole, render_text(view, **opts)
    if carried_size(html) <= budget:
        best, lo, hi = (least, html), 0, len(order)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            fit = fit_of(mid, len(order) - mid)
            html = render(fit)
            if carried_size(html) <= budget:
                best, lo = (fit, html), mid
            else:
                hi = mid
    else:
        full = min(MIN_IN_FULL, len(order))
        best = (fit_of(full, 0), render(fit_of(full, 0)))
        while full and carried_size(best[1]) > budget:
            full -= 1
            best = (fit_of(full, 0), render(fit_of(full, 0)))
        lo, hi = 0, len(order) - full + 1
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


@contextmanager
def counted() -> Iterator[list[int]]:
    """The renderings of the HTML part made meanwhile (``mailsize``'s ``render_email_html``)."""
    calls = [0]

    def counting(*args: Any, **kwargs: Any) -> str:
        calls[0] += 1
        return render_email_html(*args, **kwargs)

    mailsize.render_email_html = counting  # type: ignore[assignment]
    try:
        yield calls
    finally:
        mailsize.render_email_html = render_email_html


def day_view(cfg: Config, day: date) -> DigestView:
    """The daily digest's view of ``day``, as ``digest send`` builds it."""
    with open_store(cfg.database_url) as store:
        return digest_view(store, cfg, day, plans(cfg)[0])


def compare(cfg: Config, view: DigestView, budgets: Sequence[int], repeat: int = 2) -> list[dict[str, Any]]:
    """Per budget: renderings and seconds of the halving (before) and of ``email_parts`` (now),
    and whether they made the same parts."""
    opts: dict[str, Any] = {"env": make_env(cfg.templates), "tz": cfg.tz, "excerpt_chars": cfg.excerpt_chars,
                            "locale": cfg.locale}  # fmt: skip
    rows = []
    for budget in budgets:
        row: dict[str, Any] = {"budget": budget, "stories": len(view.stories)}
        parts = {}
        for label, make in (("before", halved), ("now", email_parts)):
            best = float("inf")
            for _ in range(repeat):
                with counted() as calls:
                    t0 = time.perf_counter()
                    parts[label] = make(view, budget=budget, **opts)
                    best = min(best, time.perf_counter() - t0)
                row[f"{label} renderings"], row[f"{label} s"] = calls[0], best
        row["same"] = parts["before"] == parts["now"]
        row["html bytes"] = carried_size(parts["now"][0])
        rows.append(row)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["budget   stories  renderings before/now  seconds before/now  ratio  same  HTML part"]
    for r in rows:
        lines.append(f"{r['budget']:>7,}  {r['stories']:>7}  {r['before renderings']:>12} / {r['now renderings']:<7}"
                     f"  {r['before s']:>9.2f} / {r['now s']:<6.2f}  {r['now s'] / r['before s']:5.2f}"
                     f"  {'yes' if r['same'] else 'NO':>4}  {r['html bytes']:,}")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--date", type=date.fromisoformat, required=True)
    ap.add_argument("--budget", type=int, action="append")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    cfg = load_config(args.config)
    rows = compare(cfg, day_view(cfg, args.date), args.budget or [EMAIL_HTML_BUDGET], args.repeat)
    print(table(rows))
    return 0 if all(r["same"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())

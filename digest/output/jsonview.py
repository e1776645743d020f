"""The digest as JSON: raw strings (JSON escaping is enough; the C1, DEL and bidi controls a
terminal acts on written as ``\\u`` escapes, ``text.shown.terminal_json``), URLs ``safe_url`` or null.

Each story carries its ``status`` (``new``/``developing``, the two of issue #19's contract: a
story from earlier days that gained only copies is ``developing`` with ``also_reported`` true, as
the digest lists it under "also reported since"; a new source's old items, listed under "Earlier
news, first read in this digest", are ``new`` with ``backlog`` true) and ``whats_new`` (with
``whats_new_figures``: the figures the line is new by alone, a figure changed in a sentence the
reader read, as its text writes them; [] for any other line; ``whats_new_was``: each one's figure
before, as the reader read it, or null); each
version its ``id``, ``published``, ``arrived`` and ``new``; the digest its
``sections`` in order, the ``muted`` stories with their rule, a weekly digest's
``per_day`` counts and the ``failing_sources``.  ``date`` is the digest's (last) day and
``first_day`` the first it covers: the same day, or a weekly digest's week.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from digest.output.sanitize import safe_url
from digest.records import ALSO_REPORTED, DigestView, VersionView
from digest.text.shown import terminal_json


def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.isoformat()


def json_value(obj: object) -> object:
    """``json.dumps``'s ``default`` for digest's own answers (``digest explain --json``): a time
    as the JSON digest writes it (ISO 8601 with its offset; a naive one is UTC, as stored), a
    day as ``YYYY-MM-DD``, anything else as its text."""
    if isinstance(obj, datetime):
        return _iso(obj)
    if isinstance(obj, date):
        return obj.isoformat()
    return str(obj)


def render_json(view: DigestView) -> str:
    """The digest as JSON (raw strings; URLs that are not http(s) are null)."""

    def version(v: VersionView) -> dict[str, Any]:
        return {
            "id": v.id,
            "source": v.source,
            "outlet": v.outlet_name,
            "url": safe_url(v.url),
            "title": v.title,
            "published": _iso(v.published),
            "arrived": _iso(v.arrived),
            "new": v.new,
            "lang": v.lang,
        }

    stories: list[dict[str, object]] = []
    for s in view.stories:
        listed = {v.key for v in s.also_listed}
        lead = version(s.lead) | {"text": s.lead.text}
        stories.append(
            {
                "story_id": s.story_id,
                "status": "developing" if s.status == ALSO_REPORTED else s.status,
                "also_reported": s.status == ALSO_REPORTED,
                "backlog": s.backlog,
                "whats_new": s.whats_new or None,
                #: the figures ``whats_new`` is new by alone (a figure changed), as its text writes them,
                #: and each one's earlier figure as the reader read it (null where no one was replaced)
                "whats_new_figures": [s.whats_new[a:b] for a, b, _ in s.whats_new_figures],
                "whats_new_was": [was for _, _, was in s.whats_new_figures],
                "title": s.title or s.lead.title,
                "first_seen": _iso(s.first_seen),
                #: a developing story's earliest publication among the versions before the digest's
                #: period (null: a new story, or none states one; "first reported" then says first_seen)
                "first_reported": _iso(s.first_reported),
                "outlets": s.outlets,
                "lead": lead,
                "also": [version(v) for v in s.also],
                #: the positions in ``also`` (from 0) of the versions listed under "Also reported by":
                #: ``news_lead``'s left out, shown over its excerpt (stop 64: named twice, *new* both
                #: times).  Not their ids: an id is the entry's own (a feed's guid), and two outlets'
                #: may be alike ("123"), the one listed then not told from the one left out
                "also_listed": [i for i, v in enumerate(s.also) if v.key in listed],
                #: a developing story whose lead is an earlier day's version: the day's version the
                #: entry leads with (one of ``also``, with its text), the lead shown under "Earlier"
                "news_lead": version(s.news_lead) | {"text": s.news_lead.text} if s.news_lead is not None else None,
            }
        )
    by_id = {str(st["story_id"]): st for st in stories}
    doc: dict[str, Any] = {
        "date": view.date,
        "first_day": view.first_day or view.date,
        "title": view.title,
        "generated": _iso(view.generated),
        "counts": {
            "articles_read": view.articles_read,
            "stories": view.story_count,
            "also_reported": view.also_reported,
            "backlog": view.backlog,
            "duplicates_collapsed": view.duplicates_collapsed,
            "muted_articles": view.muted_articles,
        },
        "stories": stories,
        "sections": [
            {"name": sec.name or None, "stories": [by_id[sec_s.story_id] for sec_s in sec.stories]}
            for sec in view.sections
        ] or [{"name": None, "stories": stories}],
        "muted": [{"title": t, "rule": r} for t, r in view.muted],
        "per_day": [{"date": d, "stories": n, "earlier": e}
                    for (d, n), e in zip(view.per_day, view.per_day_earlier or [0] * len(view.per_day), strict=True)],
        "digest": view.name,
        "failing_sources": [
            {"name": f.name, "since": _iso(f.since), "failures": f.failures, "error": f.error,
             "paused": f.paused}
            for f in view.failing
        ],
    }
    # C1, DEL and bidi controls as escapes (``terminal_json``: the same values): ``digest build
    # --format json -o -`` printed a title's U+009B "2J" as it was, a clear screen (stop 56)
    return terminal_json(json.dumps(doc, ensure_ascii=False, indent=2)) + "\n"

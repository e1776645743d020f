"""Parse: feed bytes -> the project's own :class:`Entry` records.

Observations
------------
feedparser reads RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 (JSON Feed, which
feedparser 6 does not read, is parsed here with ``json``), tolerates
ill-formed XML (``bozo``) and hands back loosely typed dicts whose keys
depend on the format.  Everything it returns is converted here, at the
boundary: nothing downstream sees feedparser's dicts.

How it works
------------
* feedparser is always given *bytes*, never a URL or a path, so it never
  fetches or opens anything itself (the fetch stage owns the network).
* Content: the fullest ``content`` (HTML/XHTML preferred over plain text) is
  ``content_html``; ``summary``/``description`` is ``summary_html``.  Titles
  become plain text (tags stripped, entities decoded, whitespace folded).
* Dates: ``published``, else ``updated``, else ``created``, as aware UTC; an
  impossible date (before 1995, or more than two days in the future of the
  fetch) becomes ``None`` and the caller uses the fetch time.
* Duplicate entry ids within one feed: the first is kept.

Special cases
-------------
* A document that yields no feed at all (HTML page, binary, empty) raises
  :class:`ParseError` naming the source and feedparser's reason.
* A valid but empty feed returns ``[]``.
* XML entities: feedparser parses with expat, which does not resolve
  external entities and (expat >= 2.4) refuses billion-laughs amplification;
  ``tests/test_parse.py`` pins both.
"""

from __future__ import annotations

import calendar
import html
import json
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser

from .errors import ParseError
from .records import Entry

_TAG = re.compile(r"<[^>]*>")
_WS = re.compile(r"\s+")
MAX_ENTRIES = 10_000


def plain(text: str | None) -> str:
    """Tags stripped, entities decoded, whitespace folded."""
    if not text:
        return ""
    return _WS.sub(" ", html.unescape(_TAG.sub(" ", text))).strip()


def _date(entry: Any, fetched: datetime) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if not value:
            continue
        try:
            dt = datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
        except (OverflowError, ValueError, OSError, TypeError):
            continue
        if dt.year < 1995 or dt > fetched + timedelta(days=2):
            continue
        return dt
    return None


def _content(entry: Any) -> tuple[str | None, str | None]:
    """(content html, plain text) from an entry's ``content`` list."""
    best_html: str | None = None
    best_text: str | None = None
    for c in entry.get("content") or []:
        value = c.get("value") or ""
        if not value.strip():
            continue
        ctype = (c.get("type") or "").lower()
        if "html" in ctype:
            if best_html is None or len(value) > len(best_html):
                best_html = value
        elif best_text is None or len(value) > len(best_text):
            best_text = value
    return best_html, best_text


def _link(entry: Any) -> str | None:
    link = entry.get("link")
    if link:
        return str(link).strip()
    for ln in entry.get("links") or []:
        if ln.get("href") and ln.get("rel", "alternate") == "alternate":
            return str(ln["href"]).strip()
    return None


def parse_feed(
    data: bytes,
    *,
    source: str,
    url: str | None = None,
    content_type: str | None = None,
    fetched: datetime | None = None,
) -> list[Entry]:
    """Parse feed bytes into entries; raise :class:`ParseError` if it is no feed."""
    fetched = fetched or datetime.now(UTC)
    if not data or not data.strip():
        raise ParseError(source, "empty document", kind="empty")
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return parse_json_feed(data, source=source, fetched=fetched)
    headers = {"content-type": content_type} if content_type else None
    try:
        parsed = feedparser.parse(
            data, response_headers=headers, sanitize_html=True, resolve_relative_uris=True
        )
    except Exception as exc:  # feedparser's own failures on hostile bytes
        raise ParseError(source, f"cannot parse: {type(exc).__name__}: {exc}") from None
    entries = parsed.get("entries") or []
    if not entries and not parsed.get("version"):
        reason = parsed.get("bozo_exception")
        why = str(reason).splitlines()[0][:200] if reason else "no feed found"
        raise ParseError(source, f"not a feed: {why}", kind="not-a-feed")
    out: list[Entry] = []
    seen: set[str] = set()
    for e in entries[:MAX_ENTRIES]:
        try:
            out.append(_entry(e, source=source, url=url, fetched=fetched))
        except Exception as exc:  # one odd entry never loses the rest
            raise ParseError(source, f"bad entry: {type(exc).__name__}: {exc}") from None
        eid = out[-1].entry_id
        if eid:
            if eid in seen:
                out.pop()
                continue
            seen.add(eid)
    return [e for e in out if e.title or e.content_html or e.summary_html or e.text]


def _iso(value: Any, fetched: datetime) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(UTC)
    if dt.year < 1995 or dt > fetched + timedelta(days=2):
        return None
    return dt


def _str(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_json_feed(data: bytes, *, source: str, fetched: datetime) -> list[Entry]:
    """JSON Feed 1.0/1.1 (feedparser 6 does not read it)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(source, f"not a feed: invalid JSON: {exc}", kind="not-a-feed") from None
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        raise ParseError(source, "not a feed: JSON without a jsonfeed.org version", kind="not-a-feed")
    items = doc.get("items")
    if not isinstance(items, list):
        raise ParseError(source, "not a feed: JSON Feed without an items list", kind="not-a-feed")
    out: list[Entry] = []
    seen: set[str] = set()
    for item in items[:MAX_ENTRIES]:
        if not isinstance(item, dict):
            continue
        eid = _str(str(item["id"])) if item.get("id") is not None else None
        if eid and eid in seen:
            continue
        if eid:
            seen.add(eid)
        author = item.get("author") or (item.get("authors") or [None])[0]
        entry = Entry(
            source=source,
            title=plain(_str(item.get("title"))),
            url=_str(item.get("url")) or _str(item.get("external_url")),
            entry_id=eid,
            content_html=_str(item.get("content_html")),
            summary_html=_str(item.get("summary")),
            text=_str(item.get("content_text")),
            published=_iso(item.get("date_published"), fetched) or _iso(item.get("date_modified"), fetched),
            author=plain(_str(author.get("name"))) or None if isinstance(author, dict) else None,
        )
        if entry.title or entry.content_html or entry.text or entry.summary_html:
            out.append(entry)
    return out


def _entry(e: Any, *, source: str, url: str | None, fetched: datetime) -> Entry:
    content_html, content_text = _content(e)
    summary = e.get("summary") or None
    if summary and content_html and plain(summary) == plain(content_html):
        summary = None
    author = e.get("author") or None
    return Entry(
        source=source,
        title=plain(e.get("title")),
        url=_link(e),
        entry_id=(str(e.get("id")).strip() or None) if e.get("id") else None,
        content_html=content_html,
        summary_html=summary,
        text=content_text,
        published=_date(e, fetched),
        author=plain(author) or None,
    )


def struct_to_datetime(value: time.struct_time | None) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime (None if impossible)."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None

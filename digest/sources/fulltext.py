"""Full text for summary-only feeds: fetch each new entry's page, keep it when it is the article.

Observations
------------
* Many feeds carry a sentence or two and a link.  Such a summary never leads
  a story (it is cut), and when no outlet in the stream carries the full text
  the reader gets only that sentence.  The page behind the link usually has
  the whole article (Miniflux and FreshRSS fetch it the same way).
* The page is not always the article: a cookie wall, a paywall teaser, a
  login form, an error page served with 200.  Those are shorter than the
  summary or do not contain it.

How it works
------------
For a source with ``full_text: true``, :func:`with_full_text` takes the new
entries of a poll (the caller passes only entries not stored yet, so a page
is fetched once per article and never again on later polls):

1. each entry with an http(s) link is fetched through the guarded fetcher
   (``digest.sources.fetch.fetch_many``: size and time caps, SSRF rules,
   ``fetch.concurrency`` at once and ``fetch.per_host`` per host), judged as a
   link from the source's own URL: only an intranet source's links reach
   private addresses, and only a link to the source's own host uses its port
   (``digest.sources.addresses``); a local file's links reach public hosts only;
2. the pages are extracted as local pages are (``digest.text.extract``,
   across cores);
3. the page text replaces the entry's body when it is longer than the feed's
   text by ``LONGER`` and at least ``MIN_WORDS`` words, and the page (its text
   and its title) holds at least ``COVERS`` of the distinct words of the feed's
   title and text (it is the same article); otherwise the entry is left as the
   feed gave it (the summary is the fallback).  The feed's title stays the
   article's title (it is stated, never guessed from the page's first lines).

Special cases
-------------
* A failed fetch, a non-HTML answer (by its Content-Type, or by its bytes:
  a PDF or an image served without one, or as ``text/html``, is no page:
  :func:`digest.sources.localfiles.not_text`) or a page that is not the
  article leaves the entry unchanged; :class:`FullTextReport` counts each outcome.
  A page not read is one warning line naming the source, the link and why
  (at most ``FAILED_SAID`` a batch, then how many more).
* A slow site does not hold a run up: pages not started within ``BUDGET``
  fetch deadlines of the batch's start are not fetched (their summaries stay,
  said as pages not read), so a batch takes at most ``BUDGET`` + 1 deadlines.
* A title-only entry (a link and a headline, no summary) is checked against its
  title: a consent wall or a login page of any length holds none of its words.
* A link redirected to its site's front page (``/``: an article taken down, or
  a paywall sending readers home) is not the article, whatever the front page
  lists: its headlines may well hold the summary's words.
* Entries that are already whole pages (local ``.html`` files) are not
  fetched.
* A page is decoded as a browser would: its BOM, else the header's charset,
  else its own ``<meta charset>``, else UTF-8, else cp1252 (decoded as UTF-8
  whatever its meta said, a Windows-1252 page's quotes became U+FFFD).
"""

from __future__ import annotations

import asyncio
import codecs
import dataclasses
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..config import FetchConfig
from ..errors import FetchError
from ..records import Entry
from ..text.extract import extract_many
from ..text.prepare import body_of
from .fetch import FetchRequest, fetch_many
from .localfiles import decode, not_text

log = logging.getLogger(__name__)

#: The page must have at least this many times the feed text's words ...
LONGER = 1.2
#: ... and at least this many words ...
MIN_WORDS = 60
#: ... and hold this share of the feed title's and text's distinct words (it is the same article).
COVERS = 0.6
#: Pages not read said one line each, at most this many a batch (then how many more).
FAILED_SAID = 5
#: A batch's pages are started within this many fetch deadlines (``fetch.deadline``) of the
#: first; the rest keep their summaries (a site dripping its pages held a run up for one
#: deadline per ``fetch.per_host`` new entries: 40 entries, 60 s, 20 minutes).
BUDGET = 2.0
_WORD = re.compile(r"[^\W_]{3,}")
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)")


@dataclass(slots=True)
class FullTextReport:
    fetched: int = 0
    used: int = 0
    failed: int = 0
    not_article: int = 0


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def is_the_article(page: str, feed: str, *, title: str = "", page_title: str = "") -> bool:
    """Whether the page text is the article the feed's title and text stand for (see the
    module doc): longer than the feed's text, and holding most of its words and its title's."""
    page_words, feed_words = _words(page), _words(feed)
    if len(page_words) < max(MIN_WORDS, LONGER * len(feed_words)):
        return False
    wanted = set(feed_words) | set(_words(title))
    found = set(page_words) | set(_words(page_title))
    return not wanted or len(wanted & found) >= COVERS * len(wanted)


def _sent_home(url: str, final_url: str | None) -> bool:
    """Whether a link to an article was redirected to its site's front page."""
    if not final_url or final_url == url:
        return False
    return urlsplit(final_url).path in ("", "/") and urlsplit(url).path not in ("", "/")


def _page_text(data: bytes, ctype: str) -> str:
    """A page's bytes as text: a BOM first, then the header's charset, then the page's own
    (``<meta charset>``), UTF-8 or cp1252 (:func:`digest.sources.localfiles.decode`)."""
    m = _CHARSET.search(ctype)
    if m and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode(m.group(1), "replace")
        except LookupError:  # an unknown charset name
            pass
    return decode(data)


def with_full_text(
    entries: Sequence[Entry],
    config: FetchConfig,
    *,
    source: str,
    origin: str = "",
    workers: int | None = None,
) -> tuple[list[Entry], FullTextReport]:
    """The entries, each with its page's text where the page is the article.  ``origin``: the
    source's URL, which the links are judged as coming from (``""``: a local source)."""
    report = FullTextReport()
    out = list(entries)
    todo = [
        i for i, e in enumerate(out)
        if e.url and e.url.lower().startswith(("http://", "https://")) and not e.is_page
    ]
    if not todo:
        return out, report
    requests = [FetchRequest(out[i].url or "", source=f"{source}: {out[i].url}", origin=origin) for i in todo]
    results = asyncio.run(fetch_many(requests, config=config, budget=BUDGET * config.deadline))
    pages: list[tuple[int, str]] = []
    unread: list[tuple[str, str]] = []  # (link, why)
    for i, res in zip(todo, results, strict=True):
        report.fetched += 1
        url = out[i].url or ""
        if isinstance(res, FetchError) or res.content is None:
            report.failed += 1
            unread.append((url, res.problem if isinstance(res, FetchError) else "no content"))
            continue
        ctype = (res.content_type or "").lower()
        if (ctype and "html" not in ctype) or not_text(res.content):  # a PDF, an image: no page
            report.failed += 1
            unread.append((url, f"not a web page ({ctype.split(';')[0].strip() or 'binary data'})"))
            continue
        if _sent_home(url, res.final_url):
            report.not_article += 1
            log.debug("%s: %s: redirected to the front page %s", source, url, res.final_url)
            continue
        pages.append((i, _page_text(res.content, ctype)))
    _say_unread(source, unread)
    texts = extract_many([(html, out[i].url) for i, html in pages], workers=workers)
    for (i, _html), (text, page_title) in zip(pages, texts, strict=True):
        entry = out[i]
        if is_the_article(text, body_of(entry).text, title=entry.title, page_title=page_title or ""):
            out[i] = dataclasses.replace(
                entry, content_html=None, summary_html=None, text=text,
                title_stated=entry.title_stated or bool(entry.title.strip()),
            )
            report.used += 1
        else:
            report.not_article += 1
    return out, report


def _say_unread(source: str, unread: list[tuple[str, str]]) -> None:
    """One warning line per page not read (the first ``FAILED_SAID``), then how many more."""
    for url, why in unread[:FAILED_SAID]:
        log.warning("%s: full text of %s not read (%s); the feed's summary is kept", source, url, why)
    if len(unread) > FAILED_SAID:
        log.warning("%s: full text of %d more pages not read; their feed summaries are kept",
                    source, len(unread) - FAILED_SAID)

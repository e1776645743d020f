"""Entries updated in place: a known entry whose content changed is read again, as a revision.

Observations
------------
* News sites update an item under the same guid or link: a toll raised, a suspect named, a
  correction, a new headline.  Identity is the entry's (``digest.text.identity``), so the
  updated entry has the key of the article stored the first time, and it was skipped before
  cleaning (``digest.articles.stored_keys``): no digest showed the change.
* The same feeds change what is no news between polls: markup (a class, an ad slot), a
  "Last updated" line, an advertisement, spaces and line breaks.
* The engine cannot replace or remove an article; it has the rule that an outlet's later
  revision of its own version supersedes that version as the lead
  (``digest.dedup.lead.superseded``), and the digest shows a story that gained a version
  as developing, with a line of what is new (``digest.output.news``).

How it works
------------
* Each stored article keeps ``content_hash`` (:func:`content_hash`): a hash of the entry as
  its source gave it (title and bodies, spaces folded), not of its cleaned text, so an entry
  polled again unchanged is known, as before, without being cleaned (the costly step, whose
  result also depends on the poll's other entries: the lines recurring across them).  An
  entry's first article keeps the hash of the entry as last polled.
* A known entry (keyed by its id or link) whose hash differs is cleaned with the poll's new
  entries (the lines recurring across all the poll's entries removed, as at a first read) and
  compared with what its article and revisions said: the change is *material* unless
  :func:`digest.output.news.adds_nothing`, the copy test, finds that it adds nothing (no
  passage of 6 words or more under half of whose word 3-grams were read, no headline word
  not read).  A timestamp line runs on into the first sentence's passage and leaves it read;
  an ad slot is no passage; markup and spaces are gone once cleaned: the hash is recorded and
  nothing shown.  A text replaced by its outlet's notice taking the report back
  (:func:`digest.text.notices.takedown`, "This article has been removed.") says nothing new and
  is material all the same: it is the news.
* A material change is stored as a new article of the same source and outlet, keyed
  ``{first key}~r{n:03d}`` (its n-th revision; the key sorts after the first's where they
  share a publication time, ``articles_since``'s order), ``revision_of`` the first article's
  key.  The engine clusters it as any version: an edited text is over ``REVISION`` (0.85)
  of cosine to its article, so it supersedes it as the lead, and the digest of the day it
  arrived shows the story as developing, its "what's new" line read from the revision.
* The hashes are recorded in the transaction that stores the poll's articles: a kill before
  the commit leaves neither the revision nor the hash, and the next poll reads it, once.

Special cases
-------------
* An article stored before content hashes (SQLite schema 10, PostgreSQL 13) has none: the
  poll that meets it records it and reads nothing (an upgraded store shows nothing again).
* ``REVISION_INTERVAL_HOURS``: an entry is read again only that long after its latest
  version arrived; a change meanwhile waits (its hash is not recorded) and the first poll
  after reads the latest text.  A feed whose text changes at every poll gives at most one
  revision per interval per entry, each of which must still add something to read.
* An entry keyed by its text (no id, no http link) has another key once its text changed:
  a new article, as before.  One known only by a key of an older digest (``stored_keys``'
  legacy and former keys) is not read again.
* A text back to an earlier one, or one that only lost a passage (a retraction by deletion),
  adds nothing: not read; but a report put back after the entry's notice (the outlet restored
  what it took back) is read, as the notice was.  An entry that no longer has text has its hash recorded.
* A figure back as it was is read: 4,000 homes, 4,400, then 4,000 again is a correction the
  reader who read 4,400 must be told ("**4,000** (was 4,400)"), and the page's text leads again.
  ``reading.Read`` compares a figure of an entry with the entry's latest version, not with the
  texts it replaced nor with other outlets'.  Once: a text going back to the one the latest
  version went back from flips between two texts, and is not read (another figure back after
  a first is read).  A headline or a passage back is still nothing
  (an A/B-tested headline, a paragraph added and taken out).  GVC reports changed, then taken
  back, then changed again (``benchmarks.inplace``): figures back read 229 of 233 (the others
  state the figure twice, or in a line the cleaning removed), flips read 0 of 229, headlines
  and paragraphs back 0 of 257.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .dedup.params import REVISION_INTERVAL_HOURS
from .output.headlines import words_read
from .output.news import Said, adds_nothing
from .output.reading import read_of
from .records import Article, Entry
from .store.base import KeyMove, Store, StoredArticle, aware
from .text.lines import recurring_lines
from .text.notices import takedown
from .text.prepare import Body, bodies_of


def content_hash(entry: Entry) -> str:
    """A hash of what the entry says as its source gave it: its title and its bodies (HTML
    content, plain text, summary), each with its spaces folded.  Not its dates, author or
    link: a feed that rewrites an item's ``<updated>`` has not changed its text."""
    parts = (entry.title, entry.content_html or "", entry.text or "", entry.summary_html or "")
    folded = "\x1f".join(" ".join(p.split()) for p in parts)
    return hashlib.sha1(folded.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def revision_key(first: str, n: int) -> str:
    """The key of the ``n``-th revision of the entry whose first article is ``first``."""
    return f"{first}~r{n:03d}"


@dataclass(frozen=True, slots=True)
class _Text:
    """A title and text of no entry: lines an earlier version held and its cleaning removed
    (``StoredArticle.junk``), or a version's text read as if of no entry, against every earlier
    text (``reading.Read`` reads a version of an entry against that entry's latest only)."""

    title: str
    text: str


def _as_text(v: Said) -> _Text:
    """``v``'s title and text, of no entry (:class:`_Text`)."""
    return _Text(v.title, v.text)


def said(versions: list[StoredArticle]) -> list[Said]:
    """What an entry's earlier ``versions`` said, for the copy test: their headlines and texts,
    and the lines their cleaning removed.  A line at a text's edge may be cut as site furniture
    at one read and kept at the next, when a line added above it (a timestamp, an ad slot)
    moved the edge: it was there before, and is no news (GVC, a timestamp line added: 5 of 152
    reports read as revised without them, see ``benchmarks.inplace``)."""
    return [*versions, *(_Text("", "\n".join(v.junk)) for v in versions if v.junk)]


@dataclass(slots=True)
class Changed:
    """A known entry whose content changed: its key, new hash, and its stored versions."""

    entry: Entry
    key: str
    hash: str
    versions: list[StoredArticle]


@dataclass(slots=True)
class Poll:
    """What a poll's known entries (stored under their keys) need: those whose content changed
    (``changed``, to clean and compare), the others (``unchanged``: their bodies are the
    context the changed ones are cleaned in), and the hashes to record."""

    changed: list[Changed] = field(default_factory=list)
    unchanged: list[Entry] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)

    @property
    def entries(self) -> list[Entry]:
        return [c.entry for c in self.changed]

    def source_lines(self, bodies: list[Body], *, workers: int | None = None) -> Counter[str] | None:
        """The lines recurring across the ``bodies`` being cleaned and, when an entry changed,
        across the unchanged ones too: a change is cleaned among all the poll's entries, as
        its article was at a first read (its site's lines are not read as a new passage)."""
        texts = [b.text for b in bodies]
        if self.changed:
            texts += [b.text for b in bodies_of(self.unchanged, workers=workers)]
        return recurring_lines(texts) if len(texts) > 2 else None

    def read(self, articles: list[Article | None], hashes: list[str]) -> list[Article | None]:
        """The cleaned ``articles``: first the poll's new entries (``hashes``: theirs, as read),
        then one per ``changed`` entry.  A material change comes out as a new article under its
        revision key; an immaterial one is left out, its hash recorded (so is a material one's:
        it is read once)."""
        fresh = articles[: len(hashes)]
        for article, h in zip(fresh, hashes, strict=True):
            if article is not None:
                article.content_hash = h
        for change, article in zip(self.changed, articles[len(hashes) :], strict=True):
            self.hashes[change.key] = change.hash
            revision = None if article is None else revised(article, change.key, change.versions, change.hash)
            if revision is not None:
                fresh.append(revision)
        return fresh

    def record(self, store: Store) -> None:
        """Write the hashes (in the caller's transaction, when it has one)."""
        if self.hashes:
            store.set_content_hashes(self.hashes)


def edited_before(store: Store, source: str, ready: list[Article]) -> tuple[dict[str, KeyMove], list[Article]]:
    """A folder's files an older digest keyed by their text and that were edited since (not known
    by their text key: ``digest.articles.rekeyed`` moved the others): each is its stored article
    (by its ``file://`` URI) moved to the file's key, read as a known entry whose text changed.

    Returns the moves (old key -> (file key, guid, hash)) and ``ready`` with each edited file's
    article left out, or, where it adds something to read, as its revision.  A typo fixed the
    day of the upgrade was a new article, its story "also reported since" by the outlet that
    reported it.
    """
    files = {a.url: a for a in ready if a.guid and a.url and a.url.startswith("file:") and not a.revision_of}
    found = store.keyed_by_text(source, list(files)) if files else {}
    if not found:
        return {}, ready
    moves: dict[str, KeyMove] = {}
    out = [a for a in ready if a.url not in found]
    for url, row in found.items():
        a = files[url]
        moves[row.key] = (a.key, a.guid, a.content_hash)
        revision = revised(a, a.key, [dataclasses.replace(row, key=a.key)], a.content_hash)
        if revision is not None:
            out.append(revision)
    return moves, out


def revised(article: Article, key: str, versions: list[StoredArticle], content_hash: str | None) -> Article | None:
    """``article``, the entry stored under ``key`` read again, as its next revision of
    ``versions`` (its article and revisions), or None when it adds nothing to read (the copy
    test) and takes nothing back nor puts it back, nor corrects a figure back."""
    earlier = said(versions)
    read, seen = read_of(earlier), words_read(earlier)  # once, for both tests
    as_read = adds_nothing(_as_text(article), earlier, read, seen)  # against every earlier text
    if as_read and not _taken_back_or_back(article, versions) and (
            adds_nothing(article, earlier, read, seen) or _flips(article, versions)):
        return None  # nothing back either, or back to what the entry went back from: a flip
    n = 1 + sum(v.revision_of == key for v in versions)
    return dataclasses.replace(
        article, key=revision_key(key, n), aliases=(), content_hash=content_hash,
        revision_of=key, published=_not_before(article.published, versions),
    )


def _not_before(published: datetime | None, versions: list[StoredArticle]) -> datetime | None:
    """A revision's publication time: the entry's as read, but not before its earlier versions'.
    The engine orders an outlet's versions by publication (``dedup.lead``: what it revised,
    what its notice took back); an entry's dates are the site's: a notice that moved the
    item's date on, then the report put back under its first date, made the report back read
    as older than the notice, and taken back by it."""
    dated = [aware(v.published) for v in versions if v.published is not None]
    if published is None or not dated or aware(published) >= max(dated):
        return published
    return max(dated)


def _flips(article: Article, versions: list[StoredArticle]) -> bool:
    """Whether ``article`` goes back to the text the entry's latest version went back from: a
    page flipping between two texts (4,000, 4,400, 4,000, 4,400), read back once.  Another
    figure back after a first (4,000 homes, 50 aftershocks, 4,400 homes, 4,000 homes back, then
    40 aftershocks back) is a correction of its own."""
    *before, latest = sorted(versions, key=lambda v: (v.fetched, v.key))
    if not before or not adds_nothing(_as_text(latest), said(before)):
        return False  # the latest went back from nothing
    return adds_nothing(_as_text(article), said(before[-1:]))


def _taken_back_or_back(article: Said, versions: list[StoredArticle]) -> bool:
    """Whether the entry's new text changes whether its outlet stands by it: a notice taking
    the report back (it says little that is new, and is the news), or the report put back
    after the entry's notice (it says nothing new, and is the news)."""
    now = takedown(article.title, article.text) is not None
    latest = max(versions, key=lambda v: (v.fetched, v.key), default=None)
    before = latest is not None and takedown(latest.title, latest.text) is not None
    return now != before


def polled(store: Store, known: list[tuple[Entry, str]], fetched: datetime) -> Poll:
    """Sort a poll's entries whose key is known (entry, key) by what became of their content
    (see the module docstring): unchanged, recorded for the first time, changed (and past
    ``REVISION_INTERVAL_HOURS`` since the entry's latest version), or changed too soon."""
    poll = Poll()
    if not known:
        return poll
    stored = store.content_hashes(k for _, k in known)
    wait = timedelta(hours=REVISION_INTERVAL_HOURS)
    seen: set[str] = set()
    for entry, key in known:
        if key not in stored or key in seen:  # known by an older key only; listed twice
            continue
        seen.add(key)
        new, old = content_hash(entry), stored[key]
        if old is None:
            poll.hashes[key] = new
        if old in (None, new):
            poll.unchanged.append(entry)
            continue
        versions = store.entry_revisions(key)
        if versions and fetched - max(v.fetched for v in versions) < wait:
            poll.unchanged.append(entry)  # read when the interval is over: the latest text
            continue
        poll.changed.append(Changed(entry, key, new, versions))
    return poll

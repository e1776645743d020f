"""Articles between the stages: the engine's ``Doc`` of a fresh or a stored article, and the
identity keys a source's entries are known by before they are cleaned.

One conversion each way, used by ``App`` (ingest and the engine rebuild), the workers'
log replay and ``digest.replay``: the engine sees a fresh article and the same article
restored from the store alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from .dedup.doc import Doc
from .records import Article, Entry
from .store.base import KeyMove, Store, StoredArticle
from .text.identity import (
    article_key,
    canonical_url,
    is_http,
    legacy_key,
    spelt_id_key,
    spelt_id_keys,
    spelt_link_key,
    spelt_link_keys,
)
from .text.notices import takedown


def _doc(a: Article | StoredArticle, published: datetime | None) -> Doc:
    return Doc(
        id=a.key,
        title=a.title,
        text=a.text,  # of a stored article: read for the copy sketch only
        source=a.outlet_name,  # an aggregator's items: each its outlet's (a revision is the outlet's own)
        published=published.timestamp() if published is not None else None,
        arrived=a.fetched.timestamp() if a.fetched is not None else None,
        priority=a.priority,
        truncated=a.truncated,
        junk=sum(len(line) for line in a.junk),
        notice=takedown(a.title, a.text) is not None,  # read again of a stored article: no column
        revises=a.revision_of or "",
    )


def doc_of(article: Article) -> Doc:
    """The engine's view of a freshly cleaned article (a date read off a file's time is no
    publication time: it closes no window)."""
    return _doc(article, None if article.date_from_file else article.published)


class PollDocs:
    """The engine's ``Doc`` of each article of one poll of a source (:func:`doc_of`), and of an
    outlet's notice read as an entry of its own, the entry it takes back (``Doc.revises``:
    :func:`notice_entry`), among the stored articles and the poll's own: a report and its
    notice are often read in one poll, and the poll is stored at its end.  :meth:`order` gives
    the notices last; :meth:`added` records each report's story as the engine placed it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._at_link: dict[str, tuple[str, str]] = {}  # the poll's reports by link: (entry, story)

    @staticmethod
    def order(articles: list[Article]) -> list[Article]:
        """``articles`` with the notices last (their reports read first), each kind in its order."""
        return sorted(articles, key=lambda a: takedown(a.title, a.text) is not None)

    def doc(self, article: Article) -> Doc:
        doc = doc_of(article)
        if doc.notice and not doc.revises and (taken := notice_entry(self.store, article, self._at_link)):
            return replace(doc, revises=taken)
        return doc

    def added(self, article: Article, doc: Doc, story_id: str) -> None:
        if not doc.notice and article.url:
            self._at_link[article.url] = (doc.revises or doc.id, story_id)


def notice_entry(store: Store, article: Article, poll: Mapping[str, tuple[str, str]] | None = None) -> str:
    """The entry (its first article's key) a notice read as an entry of its own takes back: its
    source's latest article read from the notice's link that is no notice (a site publishing
    "Article removed" under another id, at the report's address), stored or read in the same
    ``poll`` (link: (entry, story)); "" for none, and for a link the reports of several stories
    share (a front page, a live page: it names no one report).  Found by its headline otherwise
    (``Engine``), where the notice keeps the report's."""
    url = article.url or ""
    if not is_http(url):
        return ""
    found = _reports_at(store, article.source, url, article.key)
    if poll and url in poll:
        found.insert(0, poll[url])  # read after the stored ones
    return one_report(found)


def _reports_at(store: Store, source: str, url: str, notice: str,
                until: datetime | None = None) -> list[tuple[str, str]]:
    """``source``'s reports read from ``url`` (no notice; not ``notice`` itself; with ``until``,
    read by then), the latest first: (entry, story)."""
    return [(row.revision_of or row.key, row.story_id) for row in store.articles_at(source, url)
            if row.key != notice and takedown(row.title, row.text) is None
            and (until is None or (row.fetched is not None and row.fetched <= until))]


def one_report(found: list[tuple[str, str]]) -> str:
    """Of the reports read from one link (entry, story; the latest first), the entry a notice
    there takes back: the latest, where they are all of one story; "" where none is, or where
    they are of several (a front page, a live page: the link names no one report)."""
    return found[0][0] if found and len({story for _, story in found}) == 1 else ""


def stored_doc(row: StoredArticle, store: Store | None = None) -> Doc:
    """The engine's view of a stored article, for ``Engine.restore``; with ``store``, a notice
    read as an entry of its own takes back the entry it took back when it was read
    (:func:`stored_notice_entry`: the link is no column, and a rebuilt engine lost it, the
    notice moved to a story of its own at the next regrouping and the report led again)."""
    doc = _doc(row, row.published)
    if store is not None and doc.notice and not doc.revises and (taken := stored_notice_entry(store, row)):
        return replace(doc, revises=taken)
    return doc


def stored_notice_entry(store: Store, row: StoredArticle) -> str:
    """The entry a stored notice of its own took back, as :func:`notice_entry` found it when it
    was read: among its source's articles from its link read before it or in its poll (not a
    report put back there since)."""
    url = row.url or ""
    if not is_http(url) or row.fetched is None:
        return ""
    return one_report(_reports_at(store, row.source, url, row.key, until=row.fetched))


def article_key_of(entry: Entry) -> str | None:
    """The identity key when it does not depend on the cleaned text."""
    if entry.entry_id or (entry.url and entry.url.lower().startswith(("http://", "https://"))):
        return article_key(entry.source, entry.entry_id, entry.url, "", "")
    return None


def as_stored(
    store: Store, entries: list[tuple[Entry, str | None]]
) -> tuple[list[tuple[Entry, str | None]], set[str]]:
    """``entries``' (entry, key) pairs, each entry keyed by its link (no id) or by an http(s)
    id whose key the store does not hold under the key of another spelling of its link or id
    the store holds (:func:`spellings`: http or https, ``www.`` or not), its first; and the
    keys of those pairs the store holds (for :func:`stored_keys`, which asked for them again).

    A link key was the link as spelt until it read http as https and dropped ``www.``
    (``digest.text.identity.link_identity``), and so was an id that is a URL (a permalink
    ``<guid>``, ``digest.text.identity.id_identity``): a store written before holds ``http://``
    and ``www.`` ones under other keys, and a site that moved since lists its items under
    another spelling.  Each was stored again as new ("3 new articles" at the first poll after a
    move to https, each a second version of its own story).  Known by its stored key, the entry
    is that article: unchanged it is skipped, changed in place it is read as its revision
    (``digest.revisions``).  Nothing is rewritten: a story's id stays its first article's key,
    and a store the upgrade opens needs no migration of its keys.

    The other spellings are asked for only for the keys the store does not hold: computed and
    asked for every entry, they cost a poll of 100 feeds of 50 items 153 ms (of 240 ms in
    ``App.ingest``) on a store that held every entry under its key now, at every run."""
    now = store.has_articles([k for _, k in entries if k])
    asked = {i: spelt for i, (e, k) in enumerate(entries) if k and k not in now and (spelt := spellings(e.source, e, k))}
    if not asked:
        return entries, now
    held = store.has_articles([k for spelt in asked.values() for k in spelt])
    out = list(entries)
    for i, spelt in asked.items():
        if old := next((s for s in spelt if s in held), None):
            out[i] = (entries[i][0], old)
            now.add(old)
    return out, now


def spellings(source: str, entry: Entry, key: str) -> list[str]:
    """The keys an older digest may hold ``entry`` (keyed ``key`` by ``source``) under, of
    another spelling of its id (an http(s) one: :func:`digest.text.identity.spelt_id_keys`)
    or, without an id, of its link (:func:`digest.text.identity.spelt_link_keys`); [] for
    any other."""
    if entry.entry_id and entry.entry_id.strip():
        return spelt_id_keys(source, entry.entry_id) if key.startswith("i") else []
    return spelt_link_keys(source, entry.url or "") if key.startswith("u") else []


def under_former_names(store: Store, former: Sequence[str], entries: list[Entry]) -> list[Entry]:
    """``entries``, each the store holds as read by its source under a name it had before
    (``former``: a source renamed, its feed kept, ``digest.sources.states.renamed_sources``) read
    under that name again: the same article, its revisions and notices kept with it.

    Keys are scoped by source name (``digest.text.identity``), so a source renamed read its whole
    feed again as new articles: "1 new article" at the run after the rename, each stored twice,
    and an item updated in place since its last read listed twice under the new name, the same
    outlet, where it is one page and its change a revision (stop 47).  The views show every
    name under the one it has now (``digest.output.view.named_now``).  An entry the store holds
    under its name now (read after the rename before this) keeps it."""
    if not former:
        return entries
    keys = [article_key_of(e) for e in entries]
    now = store.has_articles([k for k in keys if k])
    asked = [[(name, key) for name in former for key in _link_keys(name, e)] if k and k not in now else []
             for e, k in zip(entries, keys, strict=True)]
    found = store.has_articles([k for olds in asked for _, k in olds])
    named = [next((name for name, k in olds if k in found), None) for olds in asked]
    return [e if name is None else replace(e, source=name) for e, name in zip(entries, named, strict=True)]


def _link_keys(source: str, entry: Entry) -> list[str]:
    """``entry``'s key were it read by ``source``, and the keys of the other spellings of its
    link or http(s) id (:func:`as_stored`)."""
    key = article_key(source, entry.entry_id, entry.url, "", "")
    return [key, *spellings(source, entry, key)]


def keyed_by_text_before(store: Store, former: Sequence[str], articles: list[Article]) -> list[Article]:
    """``articles`` less each keyed by its text (no entry id, no http link) that the store holds
    as read under a name its source had before (``former``): :func:`under_former_names` finds
    an entry by its id or link before cleaning, this one only after."""
    if not former:
        return articles
    asked = {a.key: [article_key(name, None, None, a.title, a.text) for name in former]
             for a in articles if not (a.guid and a.guid.strip()) and not is_http(a.url)}
    found = store.has_articles([k for keys in asked.values() for k in keys])
    return [a for a in articles if found.isdisjoint(asked.get(a.key, ()))]


def stored_keys(store: Store, source: str, entries: list[tuple[Entry, str | None]], held: set[str]) -> set[str]:
    """The keys among ``entries``' (entry, key) pairs whose article is stored already.

    Stored under that key (``held``: those :func:`as_stored` found), or by ``source`` under the key it had before
    issue #21 (:func:`digest.text.identity.legacy_key`): a link key shared by
    all sources, which another source's article may also hold and which
    then says nothing about this one.
    """
    known = set(held)
    legacy = {old: k for e, k in entries if k and k not in known and (old := legacy_key(e.entry_id, e.url))}
    if legacy:
        known |= {legacy[old] for old in store.has_articles(legacy, source=source)}
    former: dict[str, list[tuple[Entry, str]]] = {}
    unscoped: dict[str, str] = {}  # a former link's key before issue #21 too
    for e, k in entries:
        if not k or k in known:
            continue
        for old in former_keys(e):
            former.setdefault(old, []).append((e, k))
        if e.former and (shared := legacy_key(*e.former)):
            unscoped[shared] = k
    for old in store.has_articles(former):
        # an id several pages share was the key of the first page read under it only
        row = store.get_article(old) if any(e.former and e.former[0] for e, _ in former[old]) else None
        known |= {k for e, k in former[old] if row is None or same_page(row.url, e.url)}
    if unscoped:
        known |= {unscoped[old] for old in store.has_articles(unscoped, source=source)}
    return known


def rekeyed(articles: list[Article | None], stored: set[str]) -> dict[str, KeyMove]:
    """The stored articles to move to their entry's key (old key -> (key, guid, content hash)).

    An entry an older digest keyed by its text (a folder's file before stop 39) now has a key of
    its own (its id, ``file:sub/x.md``) that the store does not hold: it is found only after
    cleaning, by its text key (``Article.aliases``), and was cleaned again at every run (5,000
    files: 13.6 s a run).  Moved to its key, with its content hash, it is known before cleaning
    from the next run on, and an edit is its revision.  A text key two entries share (two
    copies of one file) is left where it is: either copy may be the one read first.
    """
    claims: dict[str, list[Article]] = {}
    for a in articles:
        if a is None or a.key in stored or a.revision_of or not (a.guid or is_http(a.url)):
            continue
        old = [k for k in a.aliases if k in stored]
        if len(old) == 1:
            claims.setdefault(old[0], []).append(a)
    return {old: (a[0].key, a[0].guid, a[0].content_hash) for old, a in claims.items() if len(a) == 1}


def former_keys(entry: Entry) -> list[str]:
    """The keys ``entry`` had before when they differ and do not depend on the cleaned text
    (:attr:`Entry.former`; one keyed by its text then is ``Article.aliases``): before stop 33,
    of its link or id as spelt; and, for an id several pages share now (``Entry.former`` of
    ``digest.sources.feeds``), the key this digest gave the first page read under it while it
    named one page, of the id read as https without ``www.`` (``identity.id_identity``).

    Observed: a feed listing one item under its home page ``http://www.`` as guid, then three,
    stored the first page again as new ("3 new articles"), its key looked for as spelt only."""
    if entry.former is None:
        return []
    old_id, old_url = entry.former
    if not old_id and is_http(old_url):  # a link key of before stop 33: the link as spelt
        return [spelt_link_key(entry.source, old_url or "")]
    if not (old_id and old_id.strip()):
        return []
    spelt, now = spelt_id_key(entry.source, old_id), article_key(entry.source, old_id, None, "", "")
    return [spelt] if now == spelt else [spelt, now]


def same_page(a: str | None, b: str | None) -> bool:
    return bool(a and b) and canonical_url(a or "") == canonical_url(b or "")

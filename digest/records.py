"""The project's own typed records, shared by every stage of the pipeline.

Observations
------------
feedparser hands back loosely typed dicts whose keys depend on the feed
format; local files have no feed at all.  Every source is converted into
:class:`Entry` at the boundary (``digest.sources.feeds`` and ``digest.sources.localfiles``),
so that nothing downstream touches feedparser's dicts.

Flow::

    Source config --fetch/read--> bytes --parse--> Entry (raw, hostile)
      --clean--> Article (clean text, identity key) --dedupe--> story id
      --store--> rows --digest--> DigestView --render--> md / html / json

All timestamps are timezone-aware UTC ``datetime`` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

#: Longest title and author kept, in characters (cut at parse time by :func:`shorten`): a
#: feed's 1 MB title went into the digest whole, and weighed like a title in dedup.
TITLE_CHARS = 300
AUTHOR_CHARS = 200


@dataclass(slots=True)
class Entry:
    """One item as read from a source, before cleaning.  Everything here is hostile.

    ``content_html`` is the fullest body the source offered (feed ``content``,
    or a whole HTML page for local ``.html`` files); ``summary_html`` is the
    feed's ``summary``/``description``; ``text`` is plain text when the source
    is plain text (``.txt``/``.md`` articles, JSON Feed ``content_text``).
    """

    source: str
    title: str = ""
    url: str | None = None
    entry_id: str | None = None
    content_html: str | None = None
    summary_html: str | None = None
    text: str | None = None
    published: datetime | None = None
    author: str | None = None
    #: True when ``content_html`` is a whole web page (needs article extraction,
    #: not just tag stripping).
    is_page: bool = False
    #: True when ``published`` is only the file's modification time, not a
    #: date the source gave: it is shown, but it does not close a story's
    #: dedup window (a checkout's file times say nothing about the news).
    date_from_file: bool = False
    #: A Markdown note's links (``[words](https://...)``): each its words, as in ``text``, and its
    #: address; linked again in the note's excerpt on the digest's pages (stop 63).
    links: tuple[tuple[str, str], ...] = ()
    #: True when ``published`` was stated as a day without its time ("Tue, 19 Nov 2019", a
    #: ``datePublished`` of "2019-11-19"): read as 00:00 UTC and shown as the day alone.  A time
    #: stated as 00:00:00Z is a time (stop 63).
    published_day: bool = False
    #: True when the entry stated a date (``published``, ``updated``...) too far ahead of the
    #: fetch to be believed (``sources.dates.plausible``): ``published`` is None all the same.
    date_ahead: bool = False
    #: True when ``title`` was stated as one (a local article's front matter ``title:``),
    #: not guessed from the text's first line: it is never second-guessed.
    title_stated: bool = False
    #: ``(entry_id, url)`` as digest read them before stop 33, when they gave another key: a
    #: FeedBurner link (now its ``origLink``), no link (now an episode's file), an id several
    #: pages share (now dropped).  A store written before knows the entry by that key
    #: (``digest.articles.former_keys``).  A local article file, keyed by its text before
    #: stop 39 (now by its place in the folder), has ``(None, its file:// URI)``.
    former: tuple[str | None, str | None] | None = None
    #: The language the entry is written in, as its source states it (a BCP 47 tag:
    #: ``digest.sources.fields.language_tag``), or None.
    lang: str | None = None
    #: The outlet the entry names as its own, where the feed is an aggregator's (RSS
    #: ``<source>``: a Google News item's "Reuters"); None: the source is the outlet.
    outlet: str | None = None


class Entries(list[Entry]):
    """A feed's entries, plus what the feed says about itself that polling uses.

    ``ttl``: seconds the feed asks readers to wait between polls (RSS 2.0
    ``<ttl>`` in minutes, or RSS 1.0 ``sy:updatePeriod``/``sy:updateFrequency``);
    None when it says nothing.  ``note``: one line when the document was cut off
    (``digest.sources.cutoff``: it ended before its root element closed), saying where
    and how many entries were read; None for a whole document.
    """

    ttl: float | None = None
    note: str | None = None
    #: The feed's own title, one line ("" when it has none): what ``digest add`` names a source.
    title: str = ""


class ShowsOutlet:
    """What a reader is shown as a version's outlet (``outlet_name``): the outlet its entry
    names (an aggregator's item: ``Entry.outlet``), else the source's configured name.  Mixed
    into every record that carries ``source`` and ``outlet``."""

    __slots__ = ()
    source: str
    outlet: str | None

    @property
    def outlet_name(self) -> str:
        return self.outlet or self.source


@dataclass(slots=True)
class Article(ShowsOutlet):
    """A cleaned article, ready to be fingerprinted, stored and clustered.

    ``key`` is the stable identity (see ``digest.text.identity``): the same article
    seen again gets the same key and is not stored twice.
    """

    key: str
    source: str
    title: str
    text: str
    url: str | None = None
    published: datetime | None = None
    fetched: datetime | None = None
    author: str | None = None
    #: True when the text is a feed summary that looks cut short
    #: ("...", "[…]", "Read more") rather than the full article.
    truncated: bool = False
    priority: float = 0.0
    #: Lines removed as site junk (kept so ``digest explain`` can show them).
    junk: list[str] = field(default_factory=list)
    #: See :attr:`Entry.date_from_file`.
    date_from_file: bool = False
    #: See :attr:`Entry.published_day`; stored (schema version 17 (SQLite) / 22 (PostgreSQL)).
    published_day: bool = False
    #: See :attr:`Entry.links`; stored (schema version 18 (SQLite) / 23 (PostgreSQL)).
    links: tuple[tuple[str, str], ...] = ()
    #: It stated no date of its own (none, or one not believed): ``published`` is its arrival.
    #: A local file's time not believed (1970) is not undated: the file was read, not a feed's
    #: silence.  Not stored; a source's first read of only such items is recorded
    #: (``UNDATED_READ_KEY``).
    undated: bool = False
    #: Undated as its stated date was ahead of the clock (:attr:`Entry.date_ahead`); not stored.
    date_ahead: bool = False
    #: The entry's own id (:attr:`Entry.entry_id`), shown in the JSON digest.
    guid: str | None = None
    #: Keys this article had before, where they differ from ``key``, by which a store written
    #: then knows it (``App.ingest`` checks them all): before stop 32 an entry with neither id
    #: nor http link was keyed by its text cleaned of the lines recurring in its poll's batch
    #: too; before stop 33 an episode with only its file had no link (keyed by its text).
    aliases: tuple[str, ...] = ()
    #: See :attr:`Entry.lang`.
    lang: str | None = None
    #: See :attr:`Entry.outlet`.
    outlet: str | None = None
    #: A hash of the entry's content as read (``digest.revisions.content_hash``): the next poll
    #: reads the entry again only when it differs.
    content_hash: str | None = None
    #: A revision of an entry updated in place: the key of the entry's first article
    #: (``digest.revisions``); None for an entry's first article.
    revision_of: str | None = None


@dataclass(slots=True)
class FetchResult:
    """What ``digest.sources.fetch`` returns for one URL."""

    url: str
    status: int
    content: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None
    #: Set on a permanent redirect (301/308): the URL to store for next time.
    permanent_url: str | None = None
    content_type: str | None = None
    #: Seconds the server asked us to wait (Retry-After, Cache-Control max-age,
    #: Expires), if any.
    retry_after: float | None = None
    max_age: float | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(slots=True)
class VersionView(ShowsOutlet):
    """One outlet's version of a story, as the digest shows it (raw, unescaped)."""

    source: str
    title: str
    url: str | None
    published: datetime | None
    text: str = ""
    score: float = 0.0
    #: ``published`` was stated as a day without its time (``StoredArticle.published_day``).
    published_day: bool = False
    #: A note's links (``StoredArticle.links``): linked again in its excerpt on the pages.
    links: tuple[tuple[str, str], ...] = ()
    #: The entry's own id (feed guid or replayed record id), else the stored key.
    id: str = ""
    #: The stored version's key (not rendered: the day's leads are recorded by it,
    #: ``digest.output.days.record_leads``).
    key: str = ""
    #: When digest fetched it (the digest day it is shown as new in follows from this).
    arrived: datetime | None = None
    #: True when it arrived in the digest's day: shown as new there, and only there.
    new: bool = True
    #: The language it is written in, as its source stated it (a BCP 47 tag), or None.
    lang: str | None = None
    #: The outlet the entry named as its own (an aggregator's item), or None.
    outlet: str | None = None
    #: A new version of a story from earlier days that adds nothing to what its earlier
    #: versions said (another outlet's copy, a summary of it: ``digest.output.news``).
    copy: bool = False
    #: ``title`` is the digest's own words, not the version's: a notice's row, "retracted its
    #: report" (``digest.output.news.taken_back``); shown in the pages' language.
    own_title: bool = False
    #: The entry read again changed (an item its site updated in place: ``revision_of``):
    #: shown with the time it was read, "updated ...", not the entry's first publication.
    revised: bool = False

    @property
    def undated(self) -> bool:
        """Its publication is its arrival: it stated none (or one not believed), as a new
        source's undated backlog does (``view._backlog``)."""
        return self.published is None or (self.arrived is not None
                                          and self.published.timestamp() == self.arrived.timestamp())


#: The status of a story from earlier days whose new versions are all copies of what was
#: read: listed as "also reported since", not as developing.
ALSO_REPORTED = "also_reported"


@dataclass(slots=True)
class StoryView:
    """One story of a digest: its lead and the other outlets."""

    story_id: str
    title: str
    lead: VersionView
    also: list[VersionView]
    first_seen: datetime | None = None
    #: ``new`` (every version arrived in the digest's day), ``developing`` (a story from
    #: earlier days that gained versions in it) or ``also_reported`` (``ALSO_REPORTED``: one
    #: whose new versions only repeat what was read, another outlet's copy).
    status: str = "new"
    #: For a developing story: one line of what is new (the new version's headline, or its
    #: lede where the headline repeats the story's).
    whats_new: str = ""
    #: The language of the version ``whats_new`` is taken from, as its source stated it.
    whats_new_lang: str | None = None
    #: Where ``whats_new`` is the digest's own words about an outlet ("Coast News retracted
    #: its report", ``digest.output.news.taken_back``): that outlet (feed text; the rest of the
    #: line is in the pages' language); "" where the line is a version's own words.
    whats_new_outlet: str = ""
    #: Where ``whats_new`` states the figures that are its only news (a figure changed in a
    #: passage the reader read, ``digest.output.news.figures_told``): (start, end) in it, and
    #: the figure it took the place of, as the reader read it (None where no one figure was).
    whats_new_figures: tuple[tuple[int, int, str | None], ...] = ()
    #: New versions not listed: the same page (link, title and text) as one listed, read again
    #: through one channel (a source renamed, two sources on one feed); counted as collapsed
    #: duplicates.
    repeated: int = 0
    #: Versions shown on earlier days (a developing or "also reported" story's).
    earlier: int = 0
    #: A developing story whose lead is an earlier day's version: the day's version its entry
    #: leads with (the one ``whats_new`` is read from, or the notice it says: an outlet took its
    #: report back), the lead's own excerpt then shortened
    #: under "Earlier" (stop 63: the lead's excerpt was the one the reader read the day before).
    news_lead: VersionView | None = None
    #: Where ``news_lead`` is a version's (not a notice): its first passage holding news
    #: (``reading.first_news``, spaces folded), where its excerpt begins; "" to begin at the
    #: line of what is new (stop 64: the line's passage came after an opening with news).
    news_from: str = ""
    #: The outlet each "also reported by" version repeats, by key, and whether both ways
    #: (``output.context.copies_named``): worked out once, when first rendered, for every
    #: format the view is rendered in; None until then.
    copies: dict[str, tuple[str, bool]] | None = None
    #: When the story was first reported: the earliest publication time of those versions
    #: (None where none states one: ``first_seen`` then says when it was first read).
    first_reported: datetime | None = None
    #: ``first_reported`` was stated as a day without its time: shown as the day.
    first_reported_day: bool = False
    #: The stored key of the day's version that arrived last (not rendered: the day's leads
    #: are recorded with it, ``digest.output.days.record_leads``).
    newest: str = ""
    #: A new story made only of a newly added source's backlog: items of its first read,
    #: published long before (``digest.output.params.BACKLOG_DAYS``).  Shown as new in its day,
    #: apart, after the day's news, one line each ("Earlier news, first read in this digest").
    backlog: bool = False

    @property
    def also_listed(self) -> list[VersionView]:
        """The versions listed under "Also reported by": ``also`` less the day's version the
        entry leads with (``news_lead``: its outlet, headline, link and time over its excerpt;
        listed again, *new* both times, it read as two reports of the day, stop 64)."""
        shown = self.news_lead.key if self.news_lead is not None else None
        return [v for v in self.also if v.key != shown]

    @property
    def outlets(self) -> int:
        lead = self.lead.outlet_name
        return 1 + len({v.outlet_name for v in self.also if v.outlet_name != lead})


def newest_first(stories: list[StoryView]) -> list[StoryView]:
    """A new source's backlog in the order its heading says, "newest first": by the lead's
    publication, across the sections and in a weekly digest too (whose stories are in the
    order of their outlets and ids); those whose lead states no date last (their publication
    is their arrival: not newer than the dated ones)."""
    def when(s: StoryView) -> float:
        at = s.lead.published or s.first_seen
        return at.timestamp() if at is not None else 0.0

    return sorted(stories, key=lambda s: (s.lead.undated, -when(s), s.story_id))


@dataclass(slots=True)
class SectionView:
    """One section of a digest: a category's stories (``name`` empty: no heading)."""

    name: str
    stories: list[StoryView]


@dataclass(slots=True)
class FailingSource:
    """A source that could not be read, as the digest's footer names it."""

    name: str
    #: When it began failing (it has failed at every try since).
    since: datetime | None
    failures: int = 1
    #: The last error, without the source's name (raw: the renderer escapes it).
    error: str = ""
    paused: bool = False


@dataclass(slots=True)
class DigestView:
    """A day's digest as plain data; ``digest.output.render`` turns it into md/html/json.

    Text fields hold raw feed text: the renderer escapes/sanitizes them.
    """

    date: str  # YYYY-MM-DD, in the configured timezone
    stories: list[StoryView]
    articles_read: int
    duplicates_collapsed: int
    title: str = "digest"
    #: New versions of stories not shown: each a page listed on an earlier day, read again
    #: through another source (``StoryView.repeated``), a report read after its outlet's notice
    #: took it back, or a notice of a report never read; counted in ``duplicates_collapsed``.
    repeats_hidden: int = 0
    generated: datetime | None = None
    #: The archive's page of a day no digest file was written for since its latest article
    #: arrived, built on request from the store: ``generated`` is when that article arrived.
    on_request: bool = False
    #: The day's stories as they stood at its end, hashed (``days.grouping_of``): recorded with
    #: a day's digest written; the archive's page compares it with what is recorded.
    grouping: str = ""
    #: The archive's page of a day whose stories a later article regrouped since its digest
    #: was written (``days.regrouped_since``): the page is not the file, and says so.
    regrouped: bool = False
    #: The stories in sections (``digest.output.digests.arrange``); empty: not arranged,
    #: ``stories`` is the one list.
    sections: list[SectionView] = field(default_factory=list)
    #: Stories left out by a mute rule: (title, the rule).
    muted: list[tuple[str, str]] = field(default_factory=list)
    #: The articles of the period those stories hold (their new versions and repeats):
    #: ``articles_read`` = ``story_count`` + ``duplicates_collapsed`` + ``muted_articles``.
    muted_articles: int = 0
    #: A weekly digest's stories per day: (YYYY-MM-DD, count), as the day's page heads them (the
    #: day's news, new and developing; a new source's earlier news apart, ``per_day_earlier``).
    per_day: list[tuple[str, int]] = field(default_factory=list)
    #: Each of ``per_day``'s days, its new sources' earlier news (``StoryView.backlog``): the day's
    #: page's "+ N earlier" (stop 65: counted in ``per_day``, "Mon: 9" for "0 stories + 9 earlier").
    per_day_earlier: list[int] = field(default_factory=list)
    #: A weekly digest's first day (YYYY-MM-DD): it covers ``first_day`` to ``date``;
    #: None: the one day ``date``.
    first_day: str | None = None
    #: The digest's name (``digests:``); None for the single daily digest.
    name: str | None = None
    #: The sources failing when the day ended (or now, for today), earliest failure first.
    failing: list[FailingSource] = field(default_factory=list)
    #: How many sources the digest reads (the enabled ones); 0 when not known.
    sources: int = 0
    #: The backlog stories (ids) of a first read whose items' dates were all ahead of the clock
    #: (meta ``UNDATED_AHEAD``): not "no date", dates not believed.
    dates_ahead: frozenset[str] = frozenset()

    @property
    def story_count(self) -> int:
        """The stories with news (new, developing): the header's count; the "also reported"
        ones' new versions are counted as duplicates collapsed."""
        return sum(s.status != ALSO_REPORTED for s in self.stories)

    @property
    def also_reported(self) -> int:
        """The stories listed as "also reported since" (``ALSO_REPORTED``)."""
        return len(self.stories) - self.story_count

    @property
    def backlog(self) -> int:
        """The new stories listed apart as a new source's backlog (``StoryView.backlog``),
        counted in ``story_count`` too."""
        return sum(s.backlog for s in self.stories)

    @property
    def dates(self) -> str:
        """The days covered: "2026-11-20", or "2026-11-17 – 2026-11-23" for a week."""
        return f"{self.first_day} – {self.date}" if self.first_day else self.date

    @property
    def all_failed(self) -> bool:
        """Nothing to show because no source could be read."""
        return not self.stories and 0 < self.sources <= len(self.failing)


def plural(n: int, one: str, many: str | None = None, *, no: bool = False) -> str:
    """``n`` and the noun: "1 day", "2 days" ("1 entry", "2 entries" with ``many``); with
    ``no``, none is "no days" rather than "0 days" (a count read as words: "no failures").
    A count of 1,000 or more is grouped as English groups it ("20,000 entries": the command
    line's words are English; the pages' counts follow ``locale:``, ``digest.output.numbers``)."""
    return f"{'no' if no and n == 0 else f'{n:,}'} {one if n == 1 else (many or one + 's')}"

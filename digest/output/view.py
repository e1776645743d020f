"""The day's digest as plain data: what the templates and the web view render.

Observations
------------
* News is a stream read once a day: a reader must see every new story, and
  every new development of an older one ("death toll rises", "suspect
  arrested"), exactly once.  Listing only the stories *first seen* in a day
  hid every later version of an older story from every digest.
* The day an article belongs to is the day it *arrived* (was fetched), in the
  configured time zone, or the next where that day's digest was sealed before it
  arrived (``digest.output.days``: each day's window).

How it works
------------
* The day's stories are those holding a version that arrived in the day's window
  (``days.day_window``: windows never overlap and leave no gap, so every stored article is
  new in exactly one day's digest; ``Store.stories_fetched_between``).  A story with no earlier version is
  ``new``; one with earlier versions is ``developing``, with its new versions
  marked and one line of what is new (``digest.output.news.whats_new``; an outlet's notice
  that it removed or retracted its report: "Coast News retracted its report").  A story with
  nothing new in the window is not shown.
* A story with earlier versions whose new versions all repeat them (another outlet's
  copy arriving late, a summary of it: ``digest.output.news.adds_nothing``, each such
  version's ``VersionView.copy``) did not develop: it is ``also_reported``, listed after
  the stories with news as one line ("also reported since"), its new versions counted as
  duplicates collapsed (of the story an earlier digest showed), not as a story.
* Each story's lead is the version the engine chose (``Story.lead_key``),
  re-chosen when a more complete version arrived; the others are listed as
  "also reported by", earliest first.  Stories are ordered by how many
  outlets carried them, then by the lead's date.
* The header's counts agree: *articles read* are those that arrived in the
  window; each story shown holds at least one of them, and *duplicates
  collapsed* (:func:`duplicates_collapsed`) are the rest of those held by the
  stories shown: the new versions beyond one per story.  A developing story's
  earlier versions were counted on their own days.

Special cases
-------------
* A day shows each story as it stood at the day's end: versions that
  arrived later are left out, and the lead is the one the day had: the one its
  digest showed when written (``days.record_leads``, ``meta`` ``leads:<day>``), where no
  version of the day arrived after the writing; else ``digest.output.entries.day_lead``
  (a notice that arrived later took the day's lead back, a revision that arrived later
  leads since).
* A report read after the notice that took it back (dated before the notice: a late
  feed's backlog) is taken back, as the engine reads it, and no news
  (``entries.read_after``).
* One page read twice through one channel (a source renamed: its entries
  are new to the new name; two sources on one feed; a site moved, every item
  under a new id and link; an item put back as a new entry) is two stored versions
  of one story with one title and text: it is listed once, as the
  first to arrive (standing for the lead too, where a repeat leads), and the
  repeats are counted as collapsed duplicates; a story whose only new
  versions are such repeats has nothing new and is not shown.  Another
  channel's word-for-word copy (a copier's feed) is another outlet's version,
  listed as before: it never hides the outlet's own.
* An entry updated in place (``digest.revisions``) is listed once, as its latest version
  (the text its page holds now), unless an earlier one leads; an earlier version new in the
  day is counted as a collapsed duplicate, as a page read again is.  A report its outlet put
  back after its notice (``digest.output.entries.restored``) is news ("Coast News restored
  its report"), and stands for the notice and what it took back.  A revision whose text is an
  earlier one's (a figure corrected back) is no repeat of that page: it is news.  What is new
  is read from the versions standing at the window's end: an entry changed and changed back
  within the window (4,000 homes read before it, 4,500 on Tuesday, 4,000 on Thursday: a
  weekly digest's window) says nothing new, and the story is not shown.
* A new source's backlog: a new story made only of items of a source's first read (its
  first batch stored, meta ``first_read:<source>``) published more than
  ``backlog_days:`` (default ``output.params.BACKLOG_DAYS``) before they arrived is
  ``StoryView.backlog``: new in the day
  and counted so, listed after the day's news, one line each ("Earlier news, first read in this
  digest"), left out of the contents.  A feed added with months of items made them all the
  day's news.  Never a story that develops (an old item joining an earlier story), nor one
  with a version of the day's news, nor a late item of a source read before.
* The view also names the configured sources failing at the window's end
  (``days.failing_sources``: the store keeps each source's current run of
  failures and when it began), for the digest's footer; when every source
  fails and nothing arrived, the digest says so (``DigestView.all_failed``).
  A past day also names those its digest named when written (``meta``
  ``failing:<day>``, ``days.record_failing``): the store forgets a run of
  failures once the source reads again, and the archive's page of that day
  stopped naming the feed its email had named.  One still failing in the same
  run is named as the day's digest named it (its count of tries and error then,
  not today's: stop 61).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta

from ..config import Config
from ..records import ALSO_REPORTED, DigestView, StoryView, VersionView
from ..sources.states import renamed_sources
from ..store.base import UNDATED_AHEAD, UNDATED_READ_KEY, Store, StoredArticle, aware
from ..text.identity import channel_of
from .backlogs import backlog_of
from .days import day_failing, day_window, grouping_of, shown_day, written_leads
from .entries import (
    arrival,
    day_lead,
    entry,
    heading_of,
    read_after,
    replaced,
    restored,
    undone,
    withdrawn,
)
from .news import (
    copies_of,
    figures_told,
    is_notice,
    notices,
    speaker,
    taken_back,
    whats_new,
)
from .newsline import OURS_END
from .reading import first_news, new_passages, read_of
from .sanitize import shown_title


def duplicates_collapsed(stories: Iterable[StoryView]) -> int:
    """The versions new in the digest (``VersionView.new``) folded into the stories shown,
    beyond one per story: a developing story's earlier versions are not the day's.  An
    "also reported" story's new versions are all duplicates (of what an earlier digest
    showed): it is not counted as a story (``DigestView.story_count``)."""
    return sum(
        max(sum(v.new for v in (s.lead, *s.also)) - (s.status != ALSO_REPORTED), 0) + s.repeated for s in stories
    )


def story_order(start: datetime) -> Callable[[StoryView], tuple[bool, bool, int, float, str]]:
    """The stories' order in a digest: those with news (new, developing) first, then the
    "also reported" ones, then a new source's backlog; each most outlets first, then the lead's
    latest (undated: ``start``)."""
    return lambda s: (s.backlog, s.status == ALSO_REPORTED, -s.outlets, -(s.lead.published or start).timestamp(),
                      s.story_id)


_Page = tuple[str, str, str]


def _page(v: StoredArticle, channel: str) -> _Page | None:
    """What makes two versions one page: read through one channel (``channel``: the feed
    its sources read), the same title and text (None: no link, never one).
    The channel: a copier's feed that republishes an outlet's page word for word is another
    outlet's version, listed as such (it must never stand for the page and hide the outlet's
    own, issue #21); a source renamed, or two sources on one feed, is the same channel.
    The link is not compared: a site that moves (``http://site/?p=12`` to
    ``https://site/2026/11/slug/``) gives every item a new id and link, and its feed's next
    read is every page it listed already, word for word: those are repeats, not a day of
    "also reported since" lines naming the outlet it already showed."""
    return (channel, " ".join(v.title.split()).casefold(), " ".join(v.text.split())) if v.url else None


def _channels(cfg: Config) -> dict[str, str]:
    """Each source's channel: the feed it reads, as configured (the URL's, the path)."""
    return {s.name: channel_of(s.url or str(s.path)) for s in cfg.sources}


def _as_named(v: StoredArticle, names: dict[str, str]) -> StoredArticle:
    """``v`` under its source's name now (``sources.states.renamed_sources``)."""
    return replace(v, source=names[v.source]) if v.source in names else v


def named_now(versions: list[StoredArticle], renamed: dict[str, str]) -> list[StoredArticle]:
    """``versions`` under their sources' names now (``renamed``: ``sources.states.renamed_sources``): a
    story page, a search result."""
    return [_as_named(v, renamed) for v in versions] if renamed else versions


def repeated_pages(store: Store, cfg: Config, versions: list[StoredArticle]) -> dict[str, str]:
    """Each of ``versions`` that repeats a page of its channel read before (a source renamed read
    its feed again, two sources on one feed), and the page's first version, which stands for it
    (``_repeats``): a story page lists a page once, as the digest does.  An entry back to an
    earlier text of its own, a report put back after its notice, is no repeat: it is news."""
    return _page_repeats(store, _channels(cfg), versions, restored(versions))


def _page_repeats(store: Store, channels: dict[str, str], versions: list[StoredArticle],
                  back: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """:func:`_repeats` less what is news though it repeats a page: an entry back to an earlier
    text of its own (its revisions), a report put back after its notice (``back``:
    ``entries.restored``)."""
    by_key = {v.key: v for v in versions}
    return {k: first for k, first in _repeats(store, channels, versions).items()
            if k not in back and entry(by_key[k]) != entry(by_key[first])}


def _repeats(store: Store, channels: dict[str, str], versions: list[StoredArticle]) -> dict[str, str]:
    """Each version that repeats a page of its channel arrived before it (its key), and the
    page's first version (its key), which stands for it (as the lead too, where a repeat
    leads: the page was shown on the day it first arrived).  A source no longer configured
    (renamed) has the channel its stored state names."""
    def channel(name: str) -> str:
        if name not in channels:
            state = store.get_source_state(name)
            channels[name] = channel_of(state.location) if state is not None else f"source:{name}"
        return channels[name]

    first: dict[_Page, str] = {}
    out = {}
    for v in sorted(versions, key=arrival):
        page = _page(v, channel(v.source))
        if page is not None:
            out.update({v.key: first[page]} if page in first else {})
            first.setdefault(page, v.key)
    return out


def _reports(earlier: list[StoredArticle], back: Collection[str]) -> int:
    """How many reports the ``earlier`` versions are: an entry updated in place is one report
    however many revisions it has; a notice taking a report back is none, and neither is the
    report put back after it (``back``: their keys, ``entries.restored``), nor that report's
    revisions when it was put back as a new entry (its entry is the report taken back)."""
    return len({entry(v) for v in earlier if not is_notice(v) and v.key not in back and entry(v) not in back}) or min(
        len(earlier), 1)


def _back_as_read(live: list[StoredArticle], earlier: list[StoredArticle], copies: Collection[str],
                  put_back: Collection[str] = ()) -> bool:
    """Whether the versions standing at the window's end (``live``) are all entries read before,
    updated in place back to what the reader read (``copies``): 4,000 homes read last week, 4,500
    on Tuesday, 4,000 again on Thursday is no news to the weekly reader, nor to the daily one
    when both changes came in one day; or reports put back in the window as new entries after a
    notice of the window (``put_back``), as the reader read them (stop 46 review: removed at
    08:00, back under a new id at 13:00, as it was, was "also reported since" as new)."""
    entries = {entry(v) for v in earlier}
    return all(v.key in copies and ((v.revision_of and entry(v) in entries) or v.key in put_back) for v in live)


def _undone_within(back: dict[str, tuple[str, ...]], new: list[StoredArticle]) -> set[str]:
    """The notices new in the window that a report put back in it undoes, and those reports
    (``back``: ``entries.restored``): a report removed on Tuesday and put back on Thursday is no
    news to the weekly reader (nor to the daily one, both in one day), who is told what the
    report adds, if anything, not that it went and came back."""
    keys = {v.key for v in new}
    return {k for r, ns in back.items() if r in keys and ns and set(ns) <= keys for k in (r, *ns)}


def _retaken_within(back: dict[str, tuple[str, ...]], new: list[StoredArticle]) -> set[str]:
    """The reports put back in the window after a notice of an earlier one, and taken back again
    in it, with the notices that took them back: the reader read the removal, and the report
    is removed still (stop 46 review: removed on Wednesday; back at 08:00 and removed again at
    13:00 on Thursday, and Thursday said "removed its report" again)."""
    keys = {v.key for v in new}
    out: set[str] = set()
    for r, ns in back.items():
        if r not in keys or set(ns) & keys:  # a notice of the window undone: ``_undone_within``
            continue
        report = next(v for v in new if v.key == r)
        after = [v for v in sorted(new, key=arrival) if v.outlet_name == report.outlet_name
                 and arrival(v) > arrival(report)]
        if after and all(is_notice(v) for v in after):  # its outlet's last word in the window
            out |= {r, *(v.key for v in after)}
    return out


def _hidden_by_notice(store: Store, cfg: Config, period: tuple[date, int], versions: list[StoredArticle],
                      notes: list[StoredArticle]) -> set[str]:
    """The versions the notices ``notes`` took back that arrived in the first notice's own
    digest (``period``: a digest's first day and its length in days, 1 or a weekly's 7; the
    notice's digest is the one of that length holding its day): that digest showed the notice
    in their place, never their text (4,400 homes raised at 10:00, removed at 18:00)."""
    first, span = period
    day = shown_day(store, cfg, min(notes, key=arrival).fetched)
    since = day_window(store, cfg, first + timedelta(days=(day - first).days // span * span))[0]
    taken = withdrawn(versions, notes)
    return {v.key for v in versions if v.key in taken and aware(v.fetched) >= since}


def _restored_news(report: StoredArticle, texts: list[StoredArticle], heading: str
                   ) -> tuple[str, tuple[tuple[int, int, str | None], ...]]:
    """What a report its outlet put back says that the reader had not read (the line after
    "Coast News restored its report: "), with the figures it is new by (``news.figures_told``):
    the report back at 4,000 homes where its outlet said 4,400 before its notice.  Read against
    the earlier versions less the notices (``texts``): an entry's notice is no text of its
    report, and compared with it, the report back said nothing new.  ("", ()) where it says
    nothing new."""
    read = read_of(texts)
    if not new_passages(report, read):
        return "", ()
    line = whats_new([report], texts, heading, read=read, copies=())
    return line, tuple(figures_told(line, report, read))


def build_view(store: Store, cfg: Config, day: date, *, since: date | None = None, lines: bool = True) -> DigestView:
    """The day's digest as plain data: the stories with a version that arrived in the day
    (``since``: in the days from that one to ``day``, each story's line of what is new worked
    out against what arrived before them: a weekly digest's, ``digests.week_of``).  Without
    ``lines``, a count's view (``service.daycounts``, stop 65): each story's status, versions
    and backlog as with them, no line of what is new (nor its figures, voice or excerpt's
    start), and what the earlier versions said read only where a copy's test needs it."""
    start, end = day_window(store, cfg, day)
    if since is not None and since < day:
        start = day_window(store, cfg, since)[0]
    stories = []
    channels = _channels(cfg)
    shown = written_leads(store, day)
    hidden = 0  # new versions that only repeat a page shown before: the story is not shown
    renamed = renamed_sources(store, cfg)
    stored_as: dict[str, str] = {}  # a version of a source renamed since: the name it was read under
    ahead: set[str] = set()  # backlog stories of a first read dated ahead of the clock
    grouping: list[tuple[str, list[str]]] = []  # the day's stories as they stood at its end
    sids = store.stories_fetched_between(start, end)
    found, versions_of = store.stories_read(sids)  # two queries, not two a story (stop 65: PostgreSQL)
    old = backlog_of(store, cfg.backlog_days, stored_as, {v.source for every in versions_of.values() for v in every})
    for sid in sids:
        st = found[sid]
        # the story as it stood at the day's end: a version that arrived later is a later
        # day's news (an archive page of the day does not show it)
        every = versions_of[sid]
        if renamed:
            stored_as.update({v.key: v.source for v in every if v.source in renamed})
            every = [_as_named(v, renamed) for v in every]
        versions = until_end = [v for v in every if aware(v.fetched) < end]
        if st is None or not versions:
            continue
        grouping.append((sid, sorted(v.key for v in versions)))  # shown or not (muted, hidden)
        by_key = {v.key: v for v in versions}
        later = len(versions) < len(every)
        newest = max(versions, key=arrival).key
        written, newest_then = shown.get(sid, ("", ""))  # the lead the day's digest showed, if
        lead = by_key.get(written) if later and newest_then == newest else None  # all had come
        lead = lead or day_lead(versions, st.lead_key, later=later)
        back = restored(versions)  # an outlet put back the report it took back: news, never a repeat
        put_back = undone(back)  # (a notice again after its report was put back: news)
        repeats = {k: first for k, first in _page_repeats(store, channels, versions, back).items()
                   if first not in put_back}
        lead = by_key[repeats.get(lead.key, lead.key)]  # a page's first version stands for it
        fresh = [v for v in versions if start <= aware(v.fetched) < end]
        versions = [v for v in versions if v.key not in repeats]
        told_ever = notices(versions)  # of any day: a retraction is shown as such from then on
        late = read_after(fresh, told_ever) - set(back)  # a report read after its notice took it back
        new = [v for v in fresh if v.key not in repeats and v.key not in late]
        if not new or len(told_ever) == len(versions):  # nothing new, or only a page already
            hidden += len(fresh)  # listed read again, or taken back; or notices of no report read
            continue
        earlier = sorted((v for v in versions if aware(v.fetched) < start), key=arrival)  # as read
        read = read_of(earlier) if lines else None  # (else read by copies_of where it must)
        copies = copies_of(new, earlier, read) if earlier else set()
        undone_here = _undone_within(back, new)  # taken back and put back within the window: no news
        retaken = _retaken_within(back, new)  # (or put back and taken back again: gone still)
        undone_here |= retaken
        told = [n for n in notices(new) if n.key not in undone_here]  # an outlet took its report back
        said = sorted([*told, *(v for v in new if v.key in back and v.key not in undone_here)], key=arrival)
        copies -= {v.key for v in said}  # (or put it back): news, never a copy
        gone = replaced(new) | (undone_here - back.keys()) | retaken  # a report put back stands, as any
        live = [v for v in new if v.key not in gone]  # as the window ends: an entry's latest
        if earlier and not said and _back_as_read(live, earlier, copies, undone_here & back.keys()):
            hidden += len(fresh)
            continue
        status = "new" if not earlier else ALSO_REPORTED if all(v.key in copies for v in live) else "developing"

        notice_keys = {n.key for n in told_ever} - {lead.key}

        def view(v: StoredArticle, copy: bool, told_keys: frozenset[str] = frozenset(notice_keys),
                 title: str | None = None) -> VersionView:
            return VersionView(
                source=v.source,
                title=title or (taken_back(v, outlet=False) if v.key in told_keys else v.title),
                url=v.url,
                published=v.published,
                published_day=v.published_day,
                links=v.links,
                text=v.text,
                score=v.score or 0.0,
                id=v.guid or v.key,
                key=v.key,
                arrived=aware(v.fetched),
                new=start <= aware(v.fetched) < end,
                lang=v.lang,
                outlet=v.outlet,
                copy=copy,
                own_title=v.key in told_keys,
                revised=bool(v.revision_of),
            )

        # an entry's earlier text, a report its outlet took back: unless it leads
        # (a notice undone: the report back stands for it and for what the notice took back)
        standing = (replaced(versions) | withdrawn(versions, told_ever, back) | undone(back)) - {lead.key}
        others = sorted(
            (v for v in versions if v.key != lead.key and v.key not in standing),
            key=lambda v: (v.published or start, v.outlet_name),
        )
        heading = heading_of(lead, until_end)  # a report read after the day is no heading of it
        told_by = read is not None and status == "developing" and not said  # a version's own words, not a notice's line
        line = (whats_new(live, earlier, lead.title, read=read, copies=copies) if told_by
                else taken_back(said[-1]) if said and status == "developing" else "")
        voice = speaker(live, copies) if told_by else None  # the version the line is read from
        # an earlier day's lead: the entry leads with the day's version, not yesterday's excerpt
        # (or with an outlet's notice taking its report back, where that is the day's news: its
        # line over yesterday's excerpt again said nothing new in the excerpt, stop 63)
        notice = said[-1] if said and status == "developing" and said[-1].key not in back else None
        # (only where it is the day's only news: a new report of the day leads over a notice,
        # whose words took the report's place, the report one line under "Also": stop 63 review)
        reports = [v for v in live if v.key not in copies and v.key not in {s.key for s in said}
                   and v.key not in {n.key for n in told_ever}]  # fmt: skip
        if notice is not None and reports:
            notice = speaker(reports, copies)
        news_lead = voice if voice is not None else notice
        if news_lead is not None and (news_lead.key == lead.key or lead.key in {v.key for v in fresh}):
            news_lead = None
        figures = tuple(figures_told(line, voice, read)) if voice is not None and read is not None else ()
        lang = voice.lang if voice is not None else None
        if lines and said and status == "developing" and said[-1].key in back:  # and what the report back says
            notes = [by_key[k] for k in back[said[-1].key] if k in by_key]
            period = (since, (day - since).days + 1) if since is not None and since < day else (day, 1)
            unseen = _hidden_by_notice(store, cfg, period, versions, notes) if notes else set()
            skip = unseen | {n.key for n in told_ever}  # what the reader never read, and the notices
            more, more_figures = _restored_news(said[-1], [v for v in earlier if v.key not in skip], heading)
            if more:
                at = len(line) + len(OURS_END)
                line, lang = line + OURS_END + more, said[-1].lang
                figures = tuple((a + at, b + at, was) for a, b, was in more_figures)
        stories.append(
            StoryView(
                sid, heading, view(lead, lead.key in copies, title=heading), [view(v, v.key in copies) for v in others],
                first_seen=st.first_seen,
                status=status,
                whats_new=line,
                whats_new_lang=lang,
                whats_new_outlet=said[-1].outlet_name if said and status == "developing" else "",
                whats_new_figures=figures,
                repeated=len(fresh) - len(new) + sum(v.key in standing for v in new),
                earlier=_reports(earlier, back),
                news_lead=view(news_lead, news_lead.key in copies) if news_lead is not None else None,
                news_from=(first_news(news_lead, read) if news_lead is not None and news_lead is voice
                           and read is not None else ""),
                first_reported=(reported := min((aware(v.published) for v in earlier if v.published is not None),
                                                default=None)),
                first_reported_day=any(v.published_day and aware(v.published) == reported for v in earlier
                                       if v.published is not None),
                newest=newest,
                # a new story of a new source's old items only (never one that develops, nor
                # one with a version of the day's news): listed apart, after the day's news
                backlog=status == "new" and all(old(v) for v in new),
            )
        )
        if stories[-1].backlog and any(  # its items' dates were ahead of the clock, not absent
                store.get_meta(UNDATED_READ_KEY.format(source=stored_as.get(v.key, v.source))) == UNDATED_AHEAD
                for v in new):
            ahead.add(sid)
    stories.sort(key=story_order(start))
    articles = store.count_articles_fetched_between(start, end)
    names = {s.name for s in cfg.sources if s.enabled}
    now = cfg.now()
    return DigestView(
        date=day.isoformat(),
        stories=stories,
        articles_read=articles,
        duplicates_collapsed=duplicates_collapsed(stories) + hidden,
        repeats_hidden=hidden,
        title=shown_title(cfg.title),  # the operator's: no control character, its bidi closed
        generated=now,  # `clock` when set (the bundled examples)
        failing=day_failing(store, names, day, end, now),
        sources=len(names),
        dates_ahead=frozenset(ahead),
        grouping=grouping_of(grouping),
    )

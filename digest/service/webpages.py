"""The archive's pages (``digest serve``), rendered from an open store: the rendering
only; :mod:`digest.service.web` routes, caches and serves them.

Observations
------------
* Everything shown comes from feeds and is hostile.  Day pages are
  :func:`digest.output.render.render_html` (sanitized by the renderer); the other
  pages are Jinja2 templates with autoescaping and http(s)-only links
  (:func:`digest.output.sanitize.safe_url`); the Atom feed is built by
  :mod:`digest.output.atom`.

How it works
------------
* Every page carries the search box (``web/_search.html``, a GET form to
  ``/search``: no script).  The day page is the digest's own HTML with the
  navigation, the box and a permalink under each story added as elements
  (lxml); its ``form-action 'none'`` (a digest file or mail has no form) becomes
  ``'self'`` so that the box may submit.
* The search page (its query, results and pages) is :mod:`digest.service.websearch`'s.

Special cases
-------------
* The day page's additions (navigation, box, permalinks) are :mod:`digest.service.webday`'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import jinja2
from markupsafe import Markup

from ..config import Config
from ..output.atom import entry_updated, latest_update, stories_atom
from ..output.context import excerpt, part_lang
from ..output.dates import date_lang, format_day, format_month, short_day, version_time
from ..output.days import day_window, frame_day, regrouped_since, shown_day
from ..output.digests import archive_view as build_view
from ..output.entries import heading_of, kinds, revision_adds
from ..output.linkify import note_excerpt
from ..output.news import is_notice, taken_back
from ..output.render import make_env, num, render_html
from ..output.sanitize import NOT_TEXT, safe_url, shown_title
from ..output.view import named_now, repeated_pages
from ..records import ALSO_REPORTED, StoryView, VersionView
from ..retention import kept_from
from ..sources.dates import day_fits
from ..sources.states import renamed_sources
from ..store.base import Store, aware
from ..store.marks import archive_id
from ..text.shown import headline
from .daycounts import DayCounts
from .webday import decorate_day, one_line
from .websearch import search_page
from .webstory import back_day, story_href, successor
from .webtemplates import PAGES

HTML = "text/html; charset=utf-8"
#: Days the index lists with their story counts (the newest; each month has a page of its
#: own).  Counting a day renders its view: 34 ms a day on a year of 100 articles a day
#: (stop 37 review), so the index of a year, every day counted, took 12 s after each change
#: of the store; 31 days, a month's worth, take about 1 s (2 s at 150 a day: stop 61).  A count
#: is kept with the store reads it was made from (``daycounts``, stop 62): after a change, the
#: days whose reads answer as before are not counted again.
INDEX_RECENT = 31
#: Control characters (not tab or newline) and noncharacters: no place in a page, dropped from
#: a query and from every value a page shows; lxml refuses U+FFFE/U+FFFF (a JSON Feed's
#: ``"\\uffff"`` in a title made its day page a 500).
_CONTROL = NOT_TEXT


def _shown(value: Any) -> Any:
    """A value as a page shows it (the templates' ``finalize``): text without :data:`_CONTROL`."""
    if isinstance(value, Markup):
        return Markup(_CONTROL.sub("", value))
    return _CONTROL.sub("", value) if isinstance(value, str) else value


class Page:
    """A response: status, body (UTF-8), type, extra headers; and, once cached, its validators."""

    __slots__ = ("body", "content_type", "etag", "headers", "last_modified", "status")

    def __init__(self, status: str, body: str, content_type: str = HTML) -> None:
        self.status, self.content_type = status, content_type
        self.body = body.encode("utf-8")
        self.headers: list[tuple[str, str]] = []
        self.etag: str | None = None
        self.last_modified: int | None = None


class Pages:
    """Renders each page from an open store (one per request, opened by the caller)."""

    def __init__(
        self, cfg: Config, *, feed_days: int, index_days: int, feed_max: int,
        clock: Callable[[], datetime],
    ) -> None:
        self.cfg = cfg
        self.feed_days, self.index_days, self.feed_max = feed_days, index_days, feed_max
        self.clock = clock
        self.render_env = make_env(cfg.templates)
        assert self.render_env.loader is not None
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader([jinja2.DictLoader(PAGES), self.render_env.loader]),
            autoescape=True,
            finalize=_shown,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        )
        self.env.filters["num"] = num  # counts in the locale: "1,204 stories" (the pages' ``locale``)
        self.site = shown_title(cfg.title) or "digest"
        #: Each day's story count as its page shows it, shared by the index, the month pages and
        #: the day pages (:mod:`digest.service.daycounts`: kept with the reads it was made from).
        self.counts = DayCounts(cfg)

    def page(self, name: str, status: str = "200 OK", *, root: str = "/", **ctx: Any) -> Page:
        """``root``: the archive's root path, ``/`` or the proxy's prefix (``/news/``)."""
        ctx["root"] = root
        ctx.setdefault("q", "")
        ctx.setdefault("since", "")
        ctx.setdefault("search_page", False)
        ctx.setdefault("newest", False)  # the search box keeps the results' order
        lang = date_lang(self.cfg.locale)
        ctx["date_lang"] = Markup(f' lang="{lang}"') if lang else ""
        ctx["locale"] = self.cfg.locale
        return Page(status, self.env.get_template(name).render(site=self.site, **ctx))

    def error(self, status: str, message: str, root: str = "/") -> Page:
        return self.page("web/error.html", status, root=root, code=status, message=message)

    def today(self, store: Store | None = None) -> date:
        """Today in the configured time zone; with ``store``, the day whose hours hold now, as
        ``digest run`` writes it (``days.frame_day``: a day written keeps its hours after a
        change of zone)."""
        if store is not None:
            return frame_day(store, self.cfg, self.clock())
        return self.clock().astimezone(self.cfg.tz).date()

    # -- the index and the days --------------------------------------------------
    def known_days(self, store: Store) -> set[date]:
        """The days the archive has: those of built digests, and the last ``index_days``
        days into which something arrived (their digest windows)."""
        days: set[date] = set()
        for key, _ in store.list_digest_dates():
            try:
                days.add(date.fromisoformat(key))
            except ValueError:
                continue
        today = self.today(store)
        for i in range(self.index_days):
            day = today - timedelta(days=i)
            if day in days or not day_fits(day, self.cfg.tz):
                continue
            start, end = day_window(store, self.cfg, day)
            if store.count_articles_fetched_between(start, end):
                days.add(day)
        first = kept_from(store)  # a day pruned may keep a developing story's versions: not a day
        return {d for d in days if day_fits(d, self.cfg.tz) and (first is None or d >= first)}

    def _counted(self, store: Store, days: list[date], version: Hashable | None = None) -> list[dict[str, Any]]:
        """``days`` (newest first) grouped by month, each day with its story count as its
        page shows it (new and developing) and its new sources' earlier news apart ("0 stories +
        9 earlier", stop 64: the index said "9 stories" where the day said "0 stories · ... + 9
        earlier stories")."""
        groups: list[dict[str, Any]] = []
        answers: dict[tuple[Any, ...], bytes] = {}  # the store's answers, read once for all the days
        self.counts.load(store, days)  # those the store keeps, made by a server before (stop 63)
        self.counts.prefetch(store, days, version, answers)  # the stories their checks read, at once
        for d in days:
            if not groups or groups[-1]["month"] != (d.year, d.month):
                groups.append({"month": (d.year, d.month), "label": format_month(d, self.cfg.locale), "days": []})
            count = self.counts.count(store, d, version, answers)  # as the day's heading says it
            groups[-1]["days"].append({"date": d.isoformat(), "label": format_day(d, self.cfg.locale),
                                       "stories": count.stories, "earlier": count.earlier})
        self.counts.save(store, self.today())  # the ended days counted afresh, for the next server
        return groups

    def _months(self, days: set[date], root: str = "/") -> list[dict[str, Any]]:
        """Every month that holds a day of ``days``, newest first: its page and its days."""
        counts: dict[tuple[int, int], int] = {}
        for d in days:
            counts[(d.year, d.month)] = counts.get((d.year, d.month), 0) + 1
        return [{"href": f"{root}month/{y:04d}-{m:02d}", "label": format_month(date(y, m, 1), self.cfg.locale),
                 "days": n} for (y, m), n in sorted(counts.items(), reverse=True)]  # fmt: skip

    def index(self, store: Store, root: str = "/", version: Hashable | None = None) -> Page:
        """The newest ``INDEX_RECENT`` days, by month, each counted as its day page shows it
        (new and developing); then every month, linked to its page (:meth:`month`).
        ``version``: the store's (``DayCounts.count``)."""
        known = self.known_days(store)
        ordered = sorted(known, reverse=True)
        return self.page(
            "web/index.html", root=root, total=len(known), groups=self._counted(store, ordered[:INDEX_RECENT], version),
            months=self._months(known, root) if len(known) > INDEX_RECENT else [],
            first=short_day(ordered[-1], self.cfg.locale) if ordered else "",
            last=short_day(ordered[0], self.cfg.locale) if ordered else "",
        )

    def month(self, store: Store, year: int, month: int, root: str = "/", version: Hashable | None = None) -> Page:
        """A month's days, newest first, counted as the index counts them, with the months
        before and after that have days; a month without one is a 404, or a 410 when it began
        before the first day a prune kept (its days were pruned, as a day's page says)."""
        known = self.known_days(store)
        days = sorted((d for d in known if (d.year, d.month) == (year, month)), reverse=True)
        if not days:
            first = kept_from(store)
            if first is not None and date(year, month, 1) < first:  # begun before it: pruned, wholly or in part
                return self.error("410 Gone", f"The archive keeps the days from {first.isoformat()} on (keep_days): "
                                              f"{year:04d}-{month:02d} was pruned.", root)
            return self.error("404 Not Found", f"No digest in {year:04d}-{month:02d}.", root)
        months = self._months(known, root)
        at = next(i for i, m in enumerate(months) if m["href"] == f"{root}month/{year:04d}-{month:02d}")
        return self.page(
            "web/month.html", root=root, groups=self._counted(store, days, version), label=months[at]["label"],
            newer=months[at - 1] if at > 0 else None, older=months[at + 1] if at + 1 < len(months) else None,
        )

    def no_day(
        self, store: Store, asked: str, root: str = "/", *, status: str = "404 Not Found", message: str = "",
        known: set[date] | None = None,
    ) -> Page:
        """The page of a day the archive has no digest for (``asked``: the path's YYYY-MM-DD,
        which may be no day, 2016-02-30, or one past the calendar's ends): said so, with the
        nearest days before and after that have one, and the index; a 404 (``status``: a 410
        for a day pruned, ``message`` saying so) in the archive's look, not a bare one."""
        known = self.known_days(store) if known is None else known
        try:
            day: date | None = date.fromisoformat(asked)
        except ValueError:
            day = None
        ordered = sorted(known)  # YYYY-MM-DD strings sort as their days: a day that is none has its place
        before = max((d for d in ordered if d.isoformat() < asked), default=None)
        after = min((d for d in ordered if d.isoformat() > asked), default=None)

        def link(d: date | None) -> dict[str, str] | None:
            return None if d is None else {"date": d.isoformat(), "label": short_day(d, self.cfg.locale)}

        return self.page(
            "web/noday.html", status, root=root, dated=day is not None,
            heading=format_day(day, self.cfg.locale) if day is not None else "No such day",
            message=message or (f"No digest for {asked} in the archive." if day is not None
                                else f"“{asked}” is not a day."),
            before=link(before), after=link(after), total=len(ordered),
            first=short_day(ordered[0], self.cfg.locale) if ordered else "",
            last=short_day(ordered[-1], self.cfg.locale) if ordered else "",
        )

    def day(self, store: Store, day: date, root: str = "/", version: Hashable | None = None) -> Page:
        """The day's page; its story count kept for the index and the month (``version``: the
        store's, ``DayCounts.count``)."""
        first = kept_from(store)
        if first is not None and day < first:
            return self.no_day(store, day.isoformat(), root, status="410 Gone",
                               message=f"The archive keeps the days from {first.isoformat()} on (keep_days): "
                                       f"{day.isoformat()} was pruned.")
        view = self.counts.view(store, day, version)
        view.generated, view.on_request = made_at(store, self.cfg, day)  # not now: when it was made
        # the day's file, but for a later article's regrouping of its stories: said so
        view.regrouped = not view.on_request and regrouped_since(store, day, view)
        known = self.known_days(store)
        if not (view.stories or day in known):
            return self.no_day(store, day.isoformat(), root, known=known)
        page = render_html(
            view, env=self.render_env, tz=self.cfg.tz, excerpt_chars=self.cfg.excerpt_chars,
            locale=self.cfg.locale,
        )
        before = max((d for d in known if d < day), default=None)
        after = min((d for d in known if d > day), default=None)
        search_box = self.env.get_template("web/_search.html").render(q="", since="", with_since=False, newest=False, root=root)
        # the others: a line each, no heading ("also reported since", a new source's backlog)
        headed = [s for s in view.stories if s.status != ALSO_REPORTED and not s.backlog]
        return Page("200 OK", decorate_day(page, headed, before, after, self.cfg.locale, search_box, root, day))

    # -- a story -----------------------------------------------------------------
    def story(self, store: Store, story_id: str, root: str = "/", came_from: date | None = None) -> Page:
        """Every version of a story; its navigation goes back to ``came_from`` (the day page it
        was reached from: ``webstory.back_day``) when the story is on that day, else to its first."""
        st = store.get_story(story_id)
        versions = named_now(store.story_versions(story_id), renamed_sources(store, self.cfg)) if st is not None else []
        arrivals = [v.fetched for v in versions]  # each day it is on (``back_day``), repeats too
        repeats = repeated_pages(store, self.cfg, versions)  # a page read twice through one feed: once
        versions = [v for v in versions if v.key not in repeats]
        if st is None:
            moved = successor(store, story_id)
            if moved is not None:
                resp = Page("302 Found", "", "text/plain; charset=utf-8")
                resp.headers.append(("Location", story_href(moved, root, came_from)))
                return resp
        if st is None or not versions:
            first = kept_from(store)
            start = re.sub(r"~\d+$", "", story_id)  # the key of the article that started it
            if first is not None and store.get_article(start) is None and store.has_articles([start]):
                return self.error("410 Gone", f"This story was pruned: the archive keeps the days from "
                                              f"{first.isoformat()} on (keep_days).", root)
            return self.error("404 Not Found", "No such story.", root)
        tz, locale = self.cfg.tz, self.cfg.locale
        lead_key = repeats.get(st.lead_key, st.lead_key)
        lead = next((v for v in versions if v.key == lead_key), versions[0])
        first = aware(st.first_seen)
        # the digest that showed it first, or the day page it was reached from if it is on it
        day = back_day(store, self.cfg, story_id, arrivals, shown_day(store, self.cfg, first), came_from).isoformat()
        # its times with their year unless it is this one: a page reached from a search or the
        # feed, years on, read "first seen Sun 17 Jan" (its first digest's year was left out)
        now = self.today().isoformat()
        # when it was first reported, as the day pages say it (stop 45): its versions' earliest
        # publication; "first seen" was when digest first read it, the poll after them ("first
        # seen 20:00" over versions of 07:40 to 11:10 when read once a day)
        # (a version dated a little after it was read, by a feed whose clock runs ahead, is
        # reported at its date as the day page says it: not "first reported 09:00" over a
        # lead of 10:00; first_seen only where no version states a date)
        reported = min((aware(v.published) for v in versions if v.published is not None), default=first)
        rows = []
        said = kinds(versions, lead.key)  # what each is: a revision, a notice, a copy, ...
        for v in [lead, *(v for v in versions if v is not lead)]:
            source = one_line(v.outlet_name) or "unknown source"
            rows.append(
                {
                    "source": source,
                    "kind": "; ".join(said[v.key]),
                    "title": headline(taken_back(v, outlet=False) if is_notice(v) else v.title) or source,
                    "url": safe_url(v.url),
                    "when": version_time(v.published or v.fetched, v.fetched if v.revision_of else None, tz,
                                         day=now, locale=locale,  # a revision: when it was read
                                         day_only=v.published_day and v.published is not None),
                    # a note's URLs linked, and its [words](https://...)
                    "excerpt": note_excerpt(excerpt(v.text or "", self.cfg.excerpt_chars), v.url, v.links),
                    "adds": revision_adds(versions, v),  # what the entry updated in place now says
                    "lang": part_lang(v.lang),
                    "title_lang": "" if is_notice(v) else part_lang(v.lang),  # a notice's: our words
                }
            )
        return self.page(
            "web/story.html",
            root=root,
            title=headline(heading_of(lead, versions)) or rows[0]["source"],
            url=safe_url(lead.url),
            lang=rows[0]["lang"],
            versions=rows,
            outlets=len({v.outlet_name for v in versions}),
            first_reported=version_time(reported, None, tz, day=now, locale=locale, day_only=any(
                v.published_day and v.published is not None and aware(v.published) == reported for v in versions)),
            day=day,
            day_label=format_day(day, locale),
        )

    # -- the feed and the search ---------------------------------------------------
    def feed(self, store: Store, base: str) -> Page:
        """The stories of the last ``feed_days`` days, newest first; of the archive's last
        ``feed_days`` when nothing arrived lately (an archive backfilled by ``digest replay``,
        sources silent for a week): a feed reader then still finds the latest stories."""
        now = self.clock()
        today = self.today(store)
        last = store.latest_fetched()
        if last is not None:  # its next day too: an article after the day's digest is there
            newest = last.astimezone(self.cfg.tz).date() + timedelta(days=1)
            if newest <= today - timedelta(days=self.feed_days):
                today = newest
        stories: dict[str, StoryView] = {}
        copies: dict[str, set[str]] = {}  # each story's versions that were copies on their day
        for i in range(self.feed_days):  # newest day first: a developing story once, as now
            for s in build_view(store, self.cfg, today - timedelta(days=i)).stories:
                stories.setdefault(s.story_id, s)
                copies.setdefault(s.story_id, set()).update(v.key for v in (s.lead, *s.also) if v.copy)
        # a copy of an earlier day is one still: it never moves the entry's ``updated``, as it did
        # not on its day (a later day's view no longer marks it, its version no longer new)
        stories = {sid: _copies_marked(s, copies.get(sid, set())) for sid, s in stories.items()}
        cap = aware(now)

        def recency(s: StoryView) -> datetime:
            # a new source's backlog is dated by its publication (``entry_updated``), months
            # back, but is news of the day it was first read: ranked by that for the cap, not
            # behind every story of the week (a week of ``feed_max`` stories left it out)
            if s.backlog and s.first_seen is not None:
                return min(aware(s.first_seen), cap)
            return entry_updated(s, cap)

        ordered = sorted(stories.values(), key=lambda s: (recency(s), s.story_id), reverse=True)
        shown = ordered[: self.feed_max]
        text = stories_atom(
            shown,
            title=self.site,
            feed_url=base + "/feed.atom",
            site_url=base + "/",
            updated=latest_update(shown, cap),
            excerpt_chars=self.cfg.excerpt_chars,
            tz=self.cfg.tz,
            locale=self.cfg.locale,
            today=aware(now).astimezone(self.cfg.tz).date().isoformat(),
            feed_id=f"urn:uuid:{aid}" if (aid := archive_id(store)) else None,
        )
        return Page("200 OK", text, "application/atom+xml; charset=utf-8")

    def search(
        self, store: Store | None, q: str, since: str, page: str = "", root: str = "/", *, newest: bool = False
    ) -> Page:
        """The search page (:func:`digest.service.websearch.search_page`)."""
        return search_page(self, store, q, since, page, root, newest=newest)


def made_at(store: Store, cfg: Config, day: date) -> tuple[datetime | None, bool]:
    """When the archive's page of ``day`` was made, and whether it is made on request: the time
    its digest was built (``digest run``, the daemon: what its file says), unless an article of
    the day arrived after it (a day written while it was open), then when the latest one
    arrived, as for a day never written (made on request from the store, True).  A page said
    "Generated" at the time of the request, years after its day."""
    row = next(filter(None, (store.get_digest(day.isoformat(), fmt) for fmt in ("html", "md", "json"))), None)
    latest = store.latest_fetched_between(*day_window(store, cfg, day))
    if row is not None and (latest is None or aware(row.built_at) >= aware(latest)):
        return row.built_at, False
    return latest, latest is not None


def _copies_marked(story: StoryView, keys: set[str]) -> StoryView:
    """``story`` with its versions of ``keys`` marked as copies (``VersionView.copy``)."""
    if not keys:
        return story
    def mark(v: VersionView) -> VersionView:
        return replace(v, copy=True) if v.key in keys else v
    return replace(story, lead=mark(story.lead), also=[mark(v) for v in story.also])

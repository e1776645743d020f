"""Several digests: what each one shows (sections, rules), over which days, in which files.

Observations
------------
* One reader wants world news in one section and football in another, no
  horoscopes, and a weekly digest for a colleague.  Each digest is a view of
  the same stories: the store and the engine do not change, only what is
  shown, where and when.
* Without ``digests:`` in the configuration there is one daily digest, with
  the files and delivery records it always had, so existing setups keep
  working.

How it works
------------
* :func:`plans` turns the configuration into one :class:`Plan` per digest
  (the global ``filters`` first, then the digest's own).
* :func:`arrange` takes a day's (or week's) stories: a story any version of
  which matches a mute rule within its scope is left out (and listed, with the
  rule, in the view's ``muted``, their articles of the period in ``muted_articles``,
  so the header's counts still add up); the rest go to the first of the digest's
  sections that one of their versions' sources belongs to (by ``category``),
  else to "Other"; boosted stories go first in their section.  A digest with
  no ``sections`` lists the configured categories in the order they first
  appear in ``sources``; where no source has a category there is one section
  without a heading (the digest as before).
* :func:`week_of` merges the views of a week's days: each story once, its
  versions new in any of the days marked new, new when it was new on one of the
  days (a story first seen on Wednesday and followed up on Thursday is the
  week's news, not a development of it), the most outlets first, and a count
  of stories per day.  A story that developed on a day but has nothing new over
  the week (a figure raised on Tuesday, corrected back on Thursday) is left out,
  its versions counted as collapsed duplicates; one whose week brought only copies
  is "also reported".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from ..config import OTHER, WEEKDAYS, Config
from ..records import ALSO_REPORTED, DigestView, SectionView, StoryView, VersionView
from ..store.base import Store
from .days import earliest_failing_first
from .filters import Rule, Rules, versions
from .view import build_view, duplicates_collapsed


@dataclass(slots=True)
class Plan:
    """One digest: ``name`` None is the default single daily digest."""

    name: str | None
    sections: list[str]
    rules: Rules
    every: str = "day"
    weekday: int = 0
    time: str = "07:00"
    to: list[str] = field(default_factory=list)

    def files(self, cfg: Config, day: date, fmt: str) -> Path:
        if self.name is None:
            return cfg.output_dir / f"digest-{day.isoformat()}.{fmt}"
        return cfg.output_dir / self.name / f"digest-{self.name}-{day.isoformat()}.{fmt}"

    def days(self, day: date) -> list[date]:
        """The days the digest dated ``day`` covers: that day, or the week ending with it."""
        if self.every == "week":
            return [day - timedelta(days=i) for i in range(6, -1, -1)]
        return [day]

    def period_of(self, day: date) -> date:
        """The date of this digest's period that holds ``day``: the day itself, or the last day
        of its week (the day before the weekday it is mailed on).  A week is one period: a
        digest of the 7 days up to a Thursday would overlap two that are mailed."""
        if self.every != "week":
            return day
        return day + timedelta(days=(self.weekday - 1 - day.weekday()) % 7)

    def when(self) -> str:
        """When it is built, as the daemon's start says it: ``digest daily at 07:00``, ``digest
        weekly-sport on Mondays at 08:00``."""
        name = "digest" if self.name is None else f"digest {self.name}"
        if self.every == "week":
            return f"{name} on {WEEKDAYS[self.weekday].capitalize()}s at {self.time}"
        return f"{name} daily at {self.time}"

    def due(self, day: date) -> bool:
        """Whether a digest is dated ``day`` (a weekly one on the day before its weekday's
        mailing: it covers the week that ended)."""
        return self.every == "day" or (day + timedelta(days=1)).weekday() == self.weekday


def plans(cfg: Config) -> list[Plan]:
    if not cfg.digests:
        to = list(cfg.email.to) if cfg.email else []
        return [Plan(None, [], Rules(cfg.filters), time=cfg.schedule.digest_time, to=to)]
    return [
        Plan(d.name, list(d.sections), Rules([*cfg.filters, *d.filters]), d.every,
             WEEKDAYS.index(d.weekday), d.time, list(d.to))
        for d in cfg.digests
    ]


def plan_named(cfg: Config, name: str | None) -> Plan:
    """The plan of the digest ``name`` (None: the default, or the first configured)."""
    all_plans = plans(cfg)
    if name is None:
        return all_plans[0]
    for p in all_plans:
        if p.name == name:
            return p
    known = ", ".join(p.name or "" for p in all_plans if p.name) or "none configured"
    raise KeyError(f"no digest named {name!r} (known: {known})")


def categories(cfg: Config) -> dict[str, str]:
    """Source name -> its category (sources without one are left out)."""
    return {s.name: s.category for s in cfg.sources if s.category}


def _versions(story: StoryView) -> list[VersionView]:
    return [story.lead, *story.also]


def arrange(
    stories: Sequence[StoryView], plan: Plan, category_of: dict[str, str], configured: Sequence[str] = ()
) -> tuple[list[SectionView], list[tuple[StoryView, Rule]]]:
    """The stories in the plan's sections (boosted first in each), and the muted ones."""
    kept: list[tuple[StoryView, bool]] = []
    muted: list[tuple[StoryView, Rule]] = []
    for s in stories:
        seen = versions(_versions(s), category_of)
        rule = plan.rules.first("mute", seen) if plan.rules else None
        if rule is not None:
            muted.append((s, rule))
            continue
        kept.append((s, bool(plan.rules) and plan.rules.first("boost", seen) is not None))
    order = list(plan.sections) or list(dict.fromkeys(c for c in configured if c))
    if not order:
        boosted = [s for s, b in kept if b] + [s for s, b in kept if not b]
        return ([SectionView("", boosted)] if boosted else []), muted
    by_name: dict[str, list[tuple[StoryView, bool]]] = {name: [] for name in [*order, OTHER]}
    for s, b in kept:
        cats = {category_of.get(v.source) for v in _versions(s)}
        home = next((name for name in order if name in cats), OTHER)
        by_name[home].append((s, b))
    out = []
    for name, items in by_name.items():
        if items:
            out.append(SectionView(name, [s for s, b in items if b] + [s for s, b in items if not b]))
    return out, muted


def week_of(views: Sequence[DigestView], day: date, told: Mapping[str, StoryView] | None = None) -> DigestView:
    """One view of several days' views: each story once (its latest day's view, with every
    version new in any of the days marked new, and the repeats of every day; new when it was
    new on one of the days, else developing, its line of what is new the one ``told`` has for it
    where that developed too: the days' stories in one view, against what came before them,
    else its latest developing day's; left out where ``told`` leaves it out, also reported where
    ``told`` has it so: nothing new over the period), the most outlets first, a count per day; the
    sources any of the days named failing, each as the latest of them named it (a feed down
    from Tuesday to Thursday failed that week, though it read again by Sunday: its items
    published meanwhile may be lost; left out, a weekly reader never learnt of it)."""
    stories: dict[str, StoryView] = {}
    born: set[str] = set()  # new on one of the days: first seen in the period
    backlog: set[str] = set()  # new on one of the days as a new source's backlog
    news: dict[str, StoryView] = {}  # the latest day's view in which it developed
    fresh: set[tuple[str, str]] = set()
    read: dict[str, set[str]] = {}  # each story's versions new in the period, by key
    copies: set[tuple[str, str]] = set()
    repeated: dict[str, int] = {}
    first: dict[str, StoryView] = {}  # each as the period's first day showed it: what came before
    per_day: list[tuple[str, int]] = []
    for view in views:
        per_day.append((view.date, view.story_count - view.backlog))  # as the day's page heads it
        for s in view.stories:
            for v in _versions(s):
                if v.new:
                    fresh.add((s.story_id, v.id))
                    read.setdefault(s.story_id, set()).add(v.key)
                if v.copy:
                    copies.add((s.story_id, v.id))
            stories[s.story_id] = s  # the later day's view holds every version so far
            first.setdefault(s.story_id, s)
            if s.status == "new":
                born.add(s.story_id)
                if s.backlog:
                    backlog.add(s.story_id)
            elif s.status == "developing":
                news[s.story_id] = s
            repeated[s.story_id] = repeated.get(s.story_id, 0) + s.repeated  # each day's its own

    def mark(s: StoryView) -> StoryView:
        def one(v: VersionView) -> VersionView:
            return replace(v, new=(s.story_id, v.id) in fresh, copy=(s.story_id, v.id) in copies)

        # new on one of the days, else developing on one (what was new that day), else only
        # copies arrived: also reported
        said = news.get(s.story_id)
        whole = told.get(s.story_id) if told is not None else None
        if said is not None and whole is not None and whole.status != "developing":
            said = None  # the period's news undone in it: a figure raised, then corrected back
        status = "new" if s.story_id in born else "developing" if said else ALSO_REPORTED
        if said is not None and whole is not None and whole.whats_new:
            said = whole  # the line against the days before the period, not the last day's
        # a version new on a day and listed then, stood for since (a report taken back or put
        # back, an entry's earlier text): collapsed, as a day's own are
        gone = read.get(s.story_id, set()) - {v.key for v in _versions(s)}
        lead = one(s.lead)  # the version the line is read from leads, where the lead is no news of the period
        told_by = said.news_lead if said is not None and status != "new" and not lead.new else None
        return replace(s, lead=lead, news_lead=one(told_by) if told_by is not None else None,
                       news_from=said.news_from if said is not None and told_by is not None else "", also=[one(v) for v in s.also], repeated=repeated[s.story_id] + len(gone),
                       status=status, whats_new=said.whats_new if said and status != "new" else "",
                       whats_new_lang=said.whats_new_lang if said and status != "new" else None,
                       whats_new_outlet=said.whats_new_outlet if said and status != "new" else "",
                       whats_new_figures=said.whats_new_figures if said and status != "new" else (),
                       earlier=0 if status == "new" else first[s.story_id].earlier,
                       first_reported=None if status == "new" else first[s.story_id].first_reported,
                       first_reported_day=status != "new" and first[s.story_id].first_reported_day,
                       # the backlog of a source first read in the period, unless it developed since
                       backlog=status == "new" and s.story_id in backlog and said is None)

    undone = [sid for sid in stories if told is not None and sid not in told and sid not in born]
    for sid in undone:  # the period's view leaves it out: nothing new over the period
        del stories[sid]
    merged = sorted((mark(s) for s in stories.values()),
                    key=lambda s: (s.backlog, s.status == ALSO_REPORTED, -s.outlets, s.story_id))
    last = views[-1] if views else None
    hidden = sum(v.repeats_hidden for v in views) + sum(len(read.get(sid, ())) + repeated[sid] for sid in undone)
    failing = {f.name: f for v in views for f in v.failing}  # each as its latest day named it
    return DigestView(
        date=day.isoformat(),
        stories=merged,
        articles_read=sum(v.articles_read for v in views),
        duplicates_collapsed=duplicates_collapsed(merged) + hidden,
        repeats_hidden=hidden,
        title=last.title if last else "digest",
        generated=last.generated if last else None,
        per_day=per_day,
        per_day_earlier=[v.backlog for v in views],
        first_day=views[0].date if views else None,
        failing=earliest_failing_first(failing.values()),
        sources=last.sources if last else 0,
    )


def digest_view(store: Store, cfg: Config, day: date, plan: Plan, *, lines: bool = True) -> DigestView:
    """The digest ``plan`` dated ``day``: its days' stories, arranged in its sections, the
    muted ones counted (see the module docstring); without ``lines``, a count's view
    (``view.build_view``'s)."""
    days = plan.days(day)
    views = [build_view(store, cfg, d, lines=lines) for d in days]
    if len(views) == 1:
        view = views[0]
    else:  # each developing story's line against what the weekly reader read: the week before
        told = {s.story_id: s for s in build_view(store, cfg, day, since=days[0]).stories}
        view = week_of(views, day, told)
    sections, muted = arrange(view.stories, plan, categories(cfg), [s.category or "" for s in cfg.sources])
    view.sections = sections
    view.stories = [s for sec in sections for s in sec.stories]
    view.duplicates_collapsed = duplicates_collapsed(view.stories) + view.repeats_hidden  # not the muted ones
    if len(views) > 1:
        # the count per day of the stories this digest shows as news: a story "also reported" over
        # the period is no day's news, though it developed on one (a figure raised, then back); each
        # day's new sources' earlier news apart, as the day's page says it ("0 stories + 9 earlier")
        news = {s.story_id for s in view.stories if s.status != ALSO_REPORTED}
        shown = [[s for s in v.stories if s.story_id in news and s.status != ALSO_REPORTED] for v in views]
        view.per_day = [(v.date, sum(not s.backlog for s in day)) for v, day in zip(views, shown, strict=True)]
        view.per_day_earlier = [sum(s.backlog for s in day) for day in shown]
    view.muted = [(s.title, f"{rule.kind}: {rule.pattern}") for s, rule in muted]
    view.muted_articles = sum(sum(v.new for v in _versions(s)) + s.repeated for s, _ in muted)
    view.name = plan.name
    return view


def archive_view(store: Store, cfg: Config, day: date, *, lines: bool = True) -> DigestView:
    """The day as the archive shows it: the single daily digest (or the first of
    ``digests:``), in its sections, its muted stories left out, as it was mailed; without
    ``lines``, a count's view: its stories as the page's heading counts them, no line of what
    is new (``view.build_view``)."""
    plan = plans(cfg)[0]
    return digest_view(store, cfg, day, replace(plan, every="day"), lines=lines)

"""Replay a dated archive through the pipeline, day by day: ``digest replay``.

Observations
------------
* What a reader sees depends on time: which stories are open, which
  versions are new on which day, which follow-up joins which story.  A pile
  of articles clustered at once shows none of that; a stream replayed with
  its clock does.
* Users need it to backfill an archive from their own history, or to try
  settings on it before they change a running install; the time-model
  benchmarks (``benchmarks/timeline.py``) run through it.

How it works
------------
* Input, one JSON object a line, in any order::

      {"id", "title", "text" or "html", "url"?, "source", "published", "arrived"?, "lang"?, "outlet"?}

  (``published`` and ``arrived``: ISO 8601 or epoch seconds; ``arrived``
  defaults to ``published``; ``lang``: the BCP 47 tag its source states; ``outlet``: the
  outlet an aggregator's item names, shown instead of ``source``).
* Records are sorted by arrival (then id).  Those of one source arriving at
  one instant are one batch, ingested by ``App.ingest`` exactly as a poll of
  that source would be, with the clock at their arrival: the same cleaning,
  engine, store and transactions as ``digest run``.
* When the clock passes midnight (the configured time zone), each day that
  ended is sealed (``digest.output.days.seal``) and its digests written to
  ``output_dir`` (md, html, json), as the daemon writes the day that ended:
  the single daily digest, or each daily one of ``digests:``, and a weekly one
  on the last day of its week (``Plan.due``) when something arrived in that
  week.  A day in which nothing arrived gets no digest (a backfill of years
  would otherwise write one empty digest a day).
* Each arrival stays in its own day (``App.ingest``'s ``backfill``): a day of a
  store in use that was sealed since (mailed by the daemon or ``digest send``,
  found empty at its send) is not a reason to move a record of the archive to
  the first day still open, as it is for a run's articles stored after a seal.
  The day's digest is written again with them; its mail is not sent again (a
  mailed day, or one found empty, is owed to nobody).

Special cases
-------------
* ``first`` after ``last`` is refused (no day would be written).
* Run again (the same archive, the rest of one after a kill, a longer one): a
  day whose digest was written whole before (at or after its seal: this
  command's, the daemon's) and that gained no article in this run is kept, its
  files as written (``kept`` in the report): written from the store as it is
  now, a story regrouped by the days after would change it.  A day that gained
  an article, or whose file is gone or would go elsewhere now, is written
  (``digest build --date`` writes one again on purpose).
* The last day, when it has not ended by now (an archive up to this morning), is
  written as the day so far, as ``digest run`` writes it, and not sealed: a
  seal at its midnight to come would be kept over the daemon's (a day sealed
  once keeps its first seal), and what arrived after its mail would be in it.
* ``first``: articles arriving earlier are ingested (they are the history
  the later days build on) but their days get no digest.  ``last``: articles
  arriving after that day are not read.
* A record without ``source`` or a readable ``published`` (or whose day
  falls off the calendar), or arriving after now (the configuration's
  ``clock``, else the real time: a typo'd year would write a digest of a day to
  come and seal it), is a bad line, reported with its line number; the
  others go on (so is a line that is not
  UTF-8: see ``digest.batch``).  A ``published`` after the arrival is no
  error: as for a feed, it is not believed more than two days ahead.
* A source named like one in the configuration takes its ``priority``.
* An id repeated by a source, arriving later with another text, is the entry updated in
  place, read as a poll reads it (``digest.revisions``): a revision of its article when it
  adds something to read, and ``REVISION_INTERVAL_HOURS`` after its latest version (a
  repeat sooner is one poll that found it changed too soon: not read).  One repeated at the
  same arrival is a bad line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import groupby
from pathlib import Path
from typing import Any

from ..app import App, RunReport
from ..batch import BadLine, Lines, entry_of, epoch, numbered_records
from ..config import SourceConfig
from ..errors import DigestError
from ..output.days import day_frame, seal
from ..output.digests import Plan, plans
from ..records import plural
from ..runreport import revised_note
from ..sources.dates import day_fits
from .maildays import mark_written, written_whole

FORMATS = ("md", "html", "json")


@dataclass(slots=True)
class ReplayReport:
    articles: int = 0
    new_articles: int = 0
    #: Of ``new_articles``, updates of entries read before (``RunReport.revised``).
    revised: int = 0
    days: list[date] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    #: days whose digest was written whole before (an earlier replay's, the daemon's) and that
    #: gained nothing in this one: their files are kept as they were
    kept: list[date] = field(default_factory=list)
    errors: list[BadLine] = field(default_factory=list)

    def summary(self) -> str:
        """One line however many days: the files are counted, and their folder named."""
        span = f"{self.days[0]} to {self.days[-1]}" if self.days else "no day"
        folders = sorted({str(p.parent) for p in self.files})
        where = f" in {', '.join(folders)}" if folders else ""
        kept = f"; {plural(len(self.kept), 'day')} written before and nothing new: kept" if self.kept else ""
        return (
            f"replayed {plural(self.articles, 'article')} ({self.new_articles} new{', ' if self.revised else ''}{revised_note(self.revised, self.new_articles)}) over "
            f"{plural(len(self.days), 'day')} ({span}): {plural(len(self.files), 'file')} written{where}{kept}"
        )


def _arrival(record: dict[str, Any]) -> datetime:
    stamp = epoch(record.get("arrived"))
    if stamp is None:
        stamp = epoch(record.get("published"))
    assert stamp is not None  # checked by read_records
    return datetime.fromtimestamp(stamp, UTC)


def _time_problem(record: dict[str, Any], name: str, tz: tzinfo) -> str | None:
    """What is wrong with the record's time ``name`` (given), else None."""
    value = record.get(name)
    stamp = epoch(value)
    if stamp is None:
        return f"cannot parse {name!r}: {value!r} (ISO 8601 or epoch seconds)"
    if not day_fits(datetime.fromtimestamp(stamp, UTC).astimezone(tz).date(), tz):
        return f"{name!r} out of range: {value!r} (its day must start and end within the years 1 to 9999 UTC)"
    return None


def read_records(
    stream: Lines, errors: list[BadLine], tz: tzinfo = UTC, now: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """The batch contract's records (``digest.batch.read_jsonl``), each also with a
    ``source`` and a readable ``published`` (and ``arrived``, when given) whose day (in
    ``tz``, the days the digests cover) fits the calendar, and, with ``now``, an arrival
    not after it."""
    arrivals: set[tuple[str, str, datetime]] = set()  # (source, id, arrival): one record each
    for n, record in numbered_records(stream, errors, repeats=True):
        if not str(record.get("source") or "").strip():
            errors.append(BadLine(n, "needs a 'source'"))
            continue
        if record.get("published") in (None, ""):
            errors.append(BadLine(n, "needs a 'published' time (ISO 8601 or epoch seconds)"))
            continue
        times = ("published", "arrived") if record.get("arrived") not in (None, "") else ("published",)
        problem = next((p for t in times if (p := _time_problem(record, t, tz))), None)
        if problem is None and now is not None and _arrival(record) > now:
            name = times[-1]
            also = "" if name == "arrived" else " (the arrival, with no 'arrived')"
            problem = (f"{name!r}{also} is in the future: {record[name]!r} "
                       f"(now {now.astimezone(UTC):%Y-%m-%dT%H:%MZ})")
        if problem is None:
            seen = (str(record["source"]), str(record["id"]), _arrival(record))
            if seen in arrivals:
                problem = f"duplicate id {record['id']!r} (of {seen[0]!r}, arriving at the same time)"
            arrivals.add(seen)
        if problem:
            errors.append(BadLine(n, problem))
        else:
            yield record


def _write(app: App, plan: Plan, day: date, *, at: datetime, gained: bool, formats: tuple[str, ...]) -> list[Path] | None:
    """Write ``plan``'s digest dated ``day`` (a weekly one's: the week ending with it), built at
    ``at``, and record it written (``maildays.mark_written``); None when it is kept: written whole
    before (``maildays.written_whole``: at or after the day's seal, by a replay or the daemon),
    nothing ``gained`` in its days since, and each file still where the configuration puts it
    (a missing one is written alone)."""
    todo = formats
    if not gained and written_whole(app.store, app.cfg, day, plan.name):
        todo = tuple(f for f in formats if not plan.files(app.cfg, day, f).is_file())
        if not todo:
            return None
    paths = app.write_digest(day=day, formats=todo, digest=plan.name, now=at)
    mark_written(app.store, plan.name, day, at)
    return paths


def check_span(first: date | None, last: date | None) -> None:
    """A ``first`` day after the ``last`` is a mistake (nothing would be written): DigestError."""
    if first is not None and last is not None and first > last:
        raise DigestError(f"replay: --from {first} is after --to {last}: no day to write")


def replay(
    app: App,
    records: Iterable[dict[str, Any]],
    *,
    first: date | None = None,
    last: date | None = None,
    formats: tuple[str, ...] = FORMATS,
) -> ReplayReport:
    """Ingest ``records`` in arrival order with the clock at each arrival; write each day's
    digest when the day ends (see the module docstring)."""
    check_span(first, last)
    cfg = app.cfg
    tz = cfg.tz
    report = ReplayReport()
    priority = {s.name: s.priority for s in cfg.sources}
    rows = sorted(records, key=lambda r: (_arrival(r), str(r["id"])))
    day: date | None = None
    busy: set[date] = set()  # days something arrived in: each gets its digest
    fresh: set[date] = set()  # days this replay stored something in (a new article, a revision)
    now = cfg.now()

    def close(until: date) -> None:
        """Seal and write every day from ``day`` to the day before ``until``: each daily digest of
        a day something arrived in, each weekly one on the last day of a week something arrived
        in (a day not over by now: written as the day so far, not sealed)."""
        nonlocal day
        while day is not None and day < until:
            if first is None or day >= first:
                _, end = day_frame(app.store, cfg, day)
                if day in busy and end <= now:
                    seal(app.store, cfg, day, end)
                outcomes = [_write(app, plan, day, at=min(end, now), formats=formats,
                                   gained=any(d in fresh for d in plan.days(day)))
                            for plan in plans(cfg)
                            if plan.due(day) and any(d in busy for d in plan.days(day))]
                for paths in outcomes:
                    report.files += paths or []
                if outcomes:
                    report.days.append(day)
                if outcomes and all(paths is None for paths in outcomes):
                    report.kept.append(day)
            day += timedelta(days=1)

    for (at, source), batch in groupby(rows, key=lambda r: (_arrival(r), str(r["source"]))):
        today = at.astimezone(tz).date()
        if last is not None and today > last:
            break
        if day is None:
            day = today
        close(today)
        busy.add(today)
        entries = [entry_of(r) for r in batch]
        src = SourceConfig(name=source, path=Path(source), priority=priority.get(source, 0.0))
        run = RunReport()
        app.ingest(src, entries, fetched=at, report=run, backfill=True)
        report.articles += len(entries)
        report.new_articles += run.new_articles
        report.revised += run.revised
        if run.new_articles:
            fresh.add(today)
    if day is not None:
        close(day + timedelta(days=1))
    return report


def replay_jsonl(app: App, inp: Lines, **kwargs: Any) -> ReplayReport:
    """Read JSON Lines from ``inp`` and replay them; bad lines are in the report's errors."""
    check_span(kwargs.get("first"), kwargs.get("last"))  # before the whole file is read
    errors: list[BadLine] = []
    records = list(read_records(inp, errors, app.cfg.tz, app.cfg.now()))
    report = replay(app, records, **kwargs)
    report.errors = errors
    return report


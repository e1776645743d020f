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

      {"id", "title", "text" or "html", "url"?, "source", "published", "arrived"?}

  (``published`` and ``arrived``: ISO 8601 or epoch seconds; ``arrived``
  defaults to ``published``).
* Records are sorted by arrival (then id).  Those of one source arriving at
  one instant are one batch, ingested by ``App.ingest`` exactly as a poll of
  that source would be, with the clock at their arrival: the same cleaning,
  engine, store and transactions as ``digest run``.
* When the clock passes midnight (the configured time zone), each day that
  ended is sealed (``digest.output.view.seal``) and its digest written to
  ``output_dir`` (md, html, json), as the daemon writes the day that ended.
  A day in which nothing arrived gets no digest (a backfill of years would
  otherwise write one empty digest a day).

Special cases
-------------
* ``first``: articles arriving earlier are ingested (they are the history
  the later days build on) but their days get no digest.  ``last``: articles
  arriving after that day are not read.
* A record without ``source`` or a readable ``published`` is a bad line,
  reported with its line number; the others go on (so is a line that is not
  UTF-8: see ``digest.batch``).
* A source named like one in the configuration takes its ``priority``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any

from ..app import App, RunReport
from ..batch import BadLine, Lines, entry_of, epoch, numbered_records
from ..config import SourceConfig
from ..output.view import day_bounds, seal

FORMATS = ("md", "html", "json")


@dataclass(slots=True)
class ReplayReport:
    articles: int = 0
    new_articles: int = 0
    days: list[date] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    errors: list[BadLine] = field(default_factory=list)

    def summary(self) -> str:
        span = f"{self.days[0]} to {self.days[-1]}" if self.days else "no day"
        return (
            f"replayed {self.articles} articles ({self.new_articles} new) over {len(self.days)} "
            f"days ({span}): {len(self.files)} files written"
        )


def _arrival(record: dict[str, Any]) -> datetime:
    stamp = epoch(record.get("arrived"))
    if stamp is None:
        stamp = epoch(record.get("published"))
    assert stamp is not None  # checked by read_records
    return datetime.fromtimestamp(stamp, UTC)


def read_records(stream: Lines, errors: list[BadLine]) -> Iterator[dict[str, Any]]:
    """The batch contract's records (``digest.batch.read_jsonl``), each also with a
    ``source`` and a readable ``published`` (and ``arrived``, when given)."""
    for n, record in numbered_records(stream, errors):
        if not str(record.get("source") or "").strip():
            errors.append(BadLine(n, "needs a 'source'"))
        elif epoch(record.get("published")) is None:
            errors.append(BadLine(n, "needs a 'published' time (ISO 8601 or epoch seconds)"))
        elif record.get("arrived") not in (None, "") and epoch(record.get("arrived")) is None:
            errors.append(BadLine(n, "'arrived' is not a time (ISO 8601 or epoch seconds)"))
        else:
            yield record


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
    cfg = app.cfg
    tz = cfg.tz
    report = ReplayReport()
    priority = {s.name: s.priority for s in cfg.sources}
    rows = sorted(records, key=lambda r: (_arrival(r), str(r["id"])))
    day: date | None = None
    busy: set[date] = set()  # days something arrived in: each gets its digest

    def close(until: date) -> None:
        """Seal and write every day from ``day`` to the day before ``until``."""
        nonlocal day
        while day is not None and day < until:
            if day in busy and (first is None or day >= first):
                _, end = day_bounds(day, cfg)
                seal(app.store, cfg, day, end)
                report.files += app.write_digest(day=day, formats=formats)
                report.days.append(day)
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
        app.ingest(src, entries, fetched=at, report=run)
        report.articles += len(entries)
        report.new_articles += run.new_articles
    if day is not None:
        close(day + timedelta(days=1))
    return report


def replay_jsonl(app: App, inp: Lines, **kwargs: Any) -> ReplayReport:
    """Read JSON Lines from ``inp`` and replay them; bad lines are in the report's errors."""
    errors: list[BadLine] = []
    records = list(read_records(inp, errors))
    report = replay(app, records, **kwargs)
    report.errors = errors
    return report


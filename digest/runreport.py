"""What one run did (``digest run``, a worker's or the daemon's poll), said in one line.

``App.run`` fills a :class:`RunReport` as it reads each source and writes the day's digest;
:meth:`RunReport.summary` is the line ``digest run`` prints at the end and the daemon logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .errors import SourceError
from .records import DigestView, plural

__all__ = ["RunReport", "revised_note"]


def revised_note(revised: int, of: int) -> str:
    """What ``of`` new articles hold besides new entries: "1 of them an update of an entry read
    before", "an update of an entry read before" (the one), "all updates of entries read before";
    "" for none."""
    if not revised:
        return ""
    what = "an update of an entry" if revised == 1 else "updates of entries"
    if revised == of:
        return f"{what if of == 1 else 'all ' + what} read before"
    return f"{revised} of them {what} read before"


@dataclass
class RunReport:
    sources: int = 0
    entries: int = 0
    new_articles: int = 0
    #: Of ``new_articles``, entries read before and changed since (revisions: an item its site
    #: updated in place), said apart in the summary: "23 new" of a stream holding one entry's
    #: update read as 23 articles where the reader sees 22 and an update (review of stop 58).
    revised: int = 0
    #: Stories the engine started in this run: a regrouping may merge or split them
    #: afterwards, so the summary counts the digest's stories instead (:meth:`count_digest`).
    new_stories: int = 0
    not_modified: int = 0
    errors: list[SourceError] = field(default_factory=list)
    #: Of ``errors``, a folder's files not read (an empty file, an image named ``.txt``) while
    #: its source was read: said apart in the summary, "0 failed, 2 files not read", where "2
    #: failed" after "1 source" counted files as failed sources (stop 64's review).
    unread_files: int = 0
    #: One line per source not asked because its server asked to wait (``Retry-After``): no failure.
    waiting: list[str] = field(default_factory=list)
    #: The feeds ``digest run`` passed over as they timed out run after run
    #: (``sources.tracking.slowed``): (name, failures in a row, next try); said at the run's end
    #: in one line when several (``tracking.slowed_lines``), appended to :attr:`waiting`.
    slowed: list[tuple[str, int, datetime]] = field(default_factory=list)
    seconds: float = 0.0
    #: Seconds ``digest run`` took after reading to build and write the digest's files: added to
    #: ``seconds`` in the summary and said apart ("(265.0s, 90.0s of it writing the digest)"); the
    #: run said "(175.0s)" of a first read whose 18 MB page took 90 s more (stop 65).
    writing: float | None = None
    #: The digest written after the run: (its day, new stories, developing stories, stories
    #: also reported since).
    digest: tuple[str, int, int, int] | None = None
    #: Of the digest's new stories, those listed as a new source's backlog (``StoryView.backlog``).
    backlog: int = 0
    #: How many new articles arrived at each fetch time (one per source read).
    arrived: dict[datetime, int] = field(default_factory=dict)
    #: New articles in a later day's digest than their arrival day's, as its digest had
    #: gone out (``digest.output.days.gone_later``): (how many, that day, why).
    later: tuple[int, str, str] | None = None

    def count_new(self, fetched: datetime, n: int = 1, revised: int = 0) -> None:
        """``n`` more new articles, stored as arriving at ``fetched``, ``revised`` of them
        revisions of entries read before."""
        self.new_articles += n
        self.revised += revised
        self.arrived[fetched] = self.arrived.get(fetched, 0) + n

    def count_digest(self, view: DigestView) -> None:
        """Say in the summary what the day's digest shows: its stories (new and developing, as
        its heading counts them) and the "also reported" lines."""
        new = sum(1 for s in view.stories if s.status == "new")
        self.digest = (view.date, new, view.story_count - new, view.also_reported)
        self.backlog = view.backlog

    def summary(self) -> str:
        notes = [revised_note(self.revised, self.new_articles)] if self.revised else []  # "1 of them an update of ..."
        if self.later is not None:  # "3 new articles (in 2026-12-03's digest: today's went out at 07:00)"
            n, later, why = self.later
            notes.append(f"{'' if n == self.new_articles else f'{n} '}in {later}'s digest: {why}")
        articles = plural(self.new_articles, "new article") + (f" ({'; '.join(notes)})" if notes else "")
        parts = [f"{plural(self.sources, 'source')}, {plural(self.entries, 'entry', 'entries')}, {articles}"]
        if self.digest is not None:
            day, new, developing, also = self.digest
            since = f"; {also:,} also reported since" if also else ""
            backlog = f", {self.backlog:,} of them a new source's earlier news" if self.backlog else ""
            parts.append(
                f"{plural(new + developing, 'story', 'stories')} in the digest of {day} "
                f"({new:,} new{backlog}, "
                f"{developing:,} developing{since})"
            )
        failed = f"{len(self.errors) - self.unread_files} failed"
        if self.unread_files:
            failed += f", {plural(self.unread_files, 'file')} not read"
        return ", ".join([*parts, f"{self.not_modified} not modified, {failed} ({self._took()})"])

    def _took(self) -> str:
        if self.writing is None:
            return f"{self.seconds:.1f}s"
        return f"{self.seconds + self.writing:.1f}s, {self.writing:.1f}s of it writing the digest"

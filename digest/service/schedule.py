"""The daemon's two persistent jobs: the poll round's tick and each digest's time.

APScheduler keeps the jobs in the store's own database (table ``JOB_TABLE``), so
a digest run missed while the daemon was down fires when it starts again (within
``MISFIRE_GRACE``; one missed by more while the daemon ran, the machine asleep, wakes
it to catch up: ``_missed``).  Each job only wakes the daemon's main thread
(``digest.service.daemon.wake``), which does the work.
"""

from __future__ import annotations

import logging

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.util import ref_to_obj

from ..config import Config
from ..store.params import PROBE_TIMEOUT
from .delivery import DIGEST_JOB, digest_jobs

log = logging.getLogger("digest.daemon")

JOB_TABLE = "apscheduler_jobs"
POLL_JOB = "digest-poll"
#: A digest run missed by at most this much (the daemon was down) fires on start.
MISFIRE_GRACE = 12 * 3600
#: The function every job calls, by name (stored with the job: it must not move).
WAKE = "digest.service.daemon:wake"




def _missed(event: JobExecutionEvent) -> None:
    """A digest's run the scheduler missed by over :data:`MISFIRE_GRACE` while the daemon ran
    (the machine asleep past its time: the scheduler skips such a run, and the next came a day
    later): the daemon catches it up as its start does (``late:``, not written again when done)."""
    if event.job_id == POLL_JOB or not event.job_id.startswith("digest-"):
        return
    kind = "digest" if event.job_id == DIGEST_JOB else f"digest:{event.job_id.removeprefix('digest-')}"
    log.info("%s: its run at %s was missed (the machine asleep?): catching up", kind,
             event.scheduled_run_time.isoformat(timespec="minutes"))
    ref_to_obj(WAKE)(f"late:{kind}")


def _first_line(record: logging.LogRecord) -> bool:
    """APScheduler's lines as one line: a job table that failed (the database restarted or
    down) was said every 10 s with the SQL, its parameters and SQLAlchemy's link on lines of
    their own."""
    text = record.getMessage()
    if "\n" in text:
        record.msg, record.args = _first(text), None
    return True


def _first(text: str) -> str:
    """``text``'s first line, its spaces folded."""
    return " ".join(text.split("\n", 1)[0].split())


def _jobstore_url(database_url: str) -> str:
    scheme, _, rest = database_url.partition("://")
    if scheme in ("postgresql", "postgres"):  # the scale extra ships psycopg 3
        return f"postgresql+psycopg://{rest}"
    return database_url


class _Scheduler(BackgroundScheduler):
    """APScheduler's background scheduler without its shutdown race.

    ``shutdown`` marks the scheduler stopped, shuts the executors, then wakes
    the scheduler thread, which processes due jobs once more before it sees
    the stop: a due job then fails to submit (an error with a traceback) and
    its stored next run time moves on as if it had run.  Stopped means stopped.

    Nor does its thread die of a job store that fails after the due jobs were read (the
    database restarted or its connection cut as a job's next run time is written): APScheduler
    catches only the read, and the daemon, woken by nothing more, polled and mailed no more
    without a line.  Such a failure is one warning line, and the jobs are looked at again
    ``jobstore_retry_interval`` later (a job whose time was not written runs again then).
    """

    def _process_jobs(self) -> float | None:
        if self.state == STATE_STOPPED:
            return None
        try:
            result: float | None = super()._process_jobs()
        except Exception as exc:
            log.warning("scheduler: its job table failed (%s); looked at again in %gs",
                        _first(str(exc)), self.jobstore_retry_interval)
            return float(self.jobstore_retry_interval)
        return result


def make_scheduler(cfg: Config, *, tick: float) -> BackgroundScheduler:
    """A started-but-paused scheduler holding the daemon's two persistent jobs."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.triggers.interval import IntervalTrigger

    server = _jobstore_url(cfg.database_url).startswith("postgresql+")
    jobstore = SQLAlchemyJobStore(
        url=_jobstore_url(cfg.database_url),
        tablename=JOB_TABLE,
        engine_options={"connect_args": {"timeout": 30}} if cfg.database_url.startswith("sqlite") else
        {"connect_args": {"connect_timeout": PROBE_TIMEOUT}} if server else {},
    )
    if server:  # a server that stops answering: its statement is cut, not waited on for good
        from sqlalchemy import event

        from ..store.pg_watch import Connection

        event.listen(jobstore.engine, "connect", Connection.watched)
    sched = _Scheduler(
        jobstores={"default": jobstore},
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=cfg.tz,
    )
    sched.add_listener(_missed, EVENT_JOB_MISSED)
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    if _first_line not in scheduler_log.filters:
        scheduler_log.addFilter(_first_line)
    sched.start(paused=True)
    sched.add_job(
        WAKE,
        IntervalTrigger(seconds=tick, timezone=cfg.tz),
        args=["poll"],
        id=POLL_JOB,
        name="poll due sources",
        replace_existing=True,
        misfire_grace_time=None,
    )
    wanted = set()
    for job_id, kind, trigger in digest_jobs(cfg):
        wanted.add(job_id)
        existing = sched.get_job(job_id)
        # Keep a stored job with the same trigger: its past next_run_time is how a
        # run missed while the daemon was down is noticed (misfire grace).
        if existing is None or repr(existing.trigger) != repr(trigger) or list(existing.args) != [kind]:
            sched.add_job(
                WAKE, trigger, args=[kind], id=job_id, name=kind,
                replace_existing=True, misfire_grace_time=MISFIRE_GRACE,
            )
    for job in sched.get_jobs():  # a digest no longer configured
        if job.id.startswith("digest-") and job.id not in wanted and job.id != POLL_JOB:
            job.remove()
    return sched

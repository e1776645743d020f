"""Stop 33's review: time zones and the daemon (docs/evaluation.md, "Reviews (stop 33)")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.config import Config
from digest.output.digests import plans
from digest.service.delivery import DIGEST_JOB
from digest.service.maildays import latest_due_day
from digest.service.schedule import make_scheduler
from tests.support.config import make_config


def _mailing_config(tmp_path: Path, port: int, zone: str, hhmm: str) -> tuple[Config, Path]:
    """A configuration reading the folder ``coast`` as "Coast News", its digest at ``hhmm`` in
    ``zone`` mailed through the loopback server on ``port``, and the file it is written to."""
    cfg = make_config(
        tmp_path, {"Coast News": tmp_path / "coast"}, write=True, timezone=zone,
        schedule={"digest_time": hhmm, "poll_minutes": 30},
        email={"host": "127.0.0.1", "port": port, "security": "none",
               "from": "digest@example.org", "to": ["me@example.org"]},
    )
    assert cfg.config_path is not None
    return cfg, cfg.config_path


def _fires(cfg: Config, job_id: str, since: datetime, until: datetime) -> list[datetime]:
    """The stored digest job's fire times from ``since`` to ``until``, as the scheduler walks
    them (each next one asked for a few seconds after the last, when the job ran)."""
    (tmp := Path(cfg.database_url.partition("///")[2]).parent).mkdir(parents=True, exist_ok=True)
    assert tmp.is_dir()
    sched = make_scheduler(cfg, tick=60)
    try:
        job = sched.get_job(job_id)
        assert job is not None
        trigger = job.trigger
    finally:
        sched.shutdown()
    out: list[datetime] = []
    at = trigger.get_next_fire_time(None, since)
    while at is not None and at < until:
        out.append(at)
        nxt = trigger.get_next_fire_time(at, at + timedelta(seconds=5))
        assert nxt is not None and nxt > at, f"stuck at {at}"
        at = nxt
    return out


@pytest.mark.parametrize(
    ("zone", "hhmm"),
    [
        ("Europe/Berlin", "00:00"),  # skipped 30 March 2026, the day after the clocks went forward
        ("Europe/Berlin", "00:30"),
        ("Europe/Berlin", "02:30"),  # in the skipped hour, and twice on the night they go back
        ("America/New_York", "02:30"),
        ("America/New_York", "23:59"),
        ("Australia/Lord_Howe", "01:45"),  # a 30-minute change
        ("Australia/Lord_Howe", "02:15"),
        ("Asia/Kathmandu", "00:00"),
        ("America/Santiago", "00:00"),  # the clocks change at midnight
    ],
)
def test_the_digest_job_fires_once_every_local_day_across_dst(tmp_path: Path, zone: str, hhmm: str) -> None:
    """The daily digest's job fires once on every local day of a year with two DST changes,
    and each time the day it covers (``latest_due_day``) is the day before: none a day late,
    none built twice."""
    cfg = make_config(tmp_path, timezone=zone, schedule={"digest_time": hhmm})
    tz = ZoneInfo(zone)
    fires = _fires(cfg, DIGEST_JOB, datetime(2026, 1, 1, tzinfo=tz), datetime(2027, 1, 1, tzinfo=tz))
    days = [f.astimezone(tz).date() for f in fires]
    assert days == [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]
    plan = plans(cfg)[0]
    for f in fires:
        f = f.astimezone(UTC)  # arithmetic on instants, not wall times
        due = latest_due_day(plan, f, tz)
        assert due == f.astimezone(tz).date() - timedelta(days=1), f
        assert latest_due_day(plan, f - timedelta(seconds=1), tz) == due - timedelta(days=1), f


def test_a_weekly_digest_fires_once_a_week_across_dst(tmp_path: Path) -> None:
    cfg = make_config(
        tmp_path, timezone="Europe/Berlin",
        extra="digests:\n  - name: weekly\n    every: week\n    weekday: monday\n    time: '00:15'\n",
    )
    tz = ZoneInfo("Europe/Berlin")
    fires = _fires(cfg, "digest-weekly", datetime(2026, 1, 1, tzinfo=tz), datetime(2027, 1, 1, tzinfo=tz))
    days = [f.astimezone(tz).date() for f in fires]
    assert days == [date(2026, 1, 5) + timedelta(weeks=i) for i in range(52)]  # 30 March among them


def test_the_stored_trigger_survives_a_restart(tmp_path: Path) -> None:
    """The job store keeps the trigger (pickled): a restart with the same time keeps the stored
    job and its next run (how a run missed while down is noticed)."""
    cfg = make_config(tmp_path, timezone="Europe/Berlin", schedule={"digest_time": "07:00"})
    Path(cfg.database_url.partition("///")[2]).parent.mkdir(parents=True, exist_ok=True)
    sched = make_scheduler(cfg, tick=60)
    missed = datetime.now(UTC) - timedelta(hours=1)
    sched.modify_job(DIGEST_JOB, next_run_time=missed)
    sched.shutdown()
    sched = make_scheduler(cfg, tick=60)
    try:
        job = sched.get_job(DIGEST_JOB)
        assert job is not None and job.next_run_time == missed
    finally:
        sched.shutdown()


def test_a_digest_time_slept_through_is_caught_up_on_waking(tmp_path: Path) -> None:
    """The daemon running, the machine asleep through two digest times, the last over
    ``MISFIRE_GRACE`` ago: the scheduler skipped the run (``EVENT_JOB_MISSED``) and nothing
    was built until the next day's time.  Now the daemon is woken and mails both days, once."""
    from digest.app import open_app
    from digest.service import daemon as daemon_mod
    from digest.service.daemon import Daemon
    from digest.service.digesttime import digest_moment
    from digest.service.maildays import mark_daemon_start, mark_mail_start
    from tests.support.daemon import smtpd
    from tests.support.digests import ingest_stories

    tz = ZoneInfo("Asia/Kathmandu")  # +05:45
    now = datetime.now(UTC)
    hhmm = (now - timedelta(hours=14)).astimezone(tz).strftime("%H:%M")  # the last run: 14 h ago
    (tmp_path / "coast").mkdir()
    with smtpd() as (inbox, port):
        cfg, path = _mailing_config(tmp_path, port, "Asia/Kathmandu", hhmm)
        latest = latest_due_day(plans(cfg)[0], now, tz)
        noon = [datetime.combine(latest - timedelta(days=d), datetime.min.time(), tz) + timedelta(hours=12)
                for d in (1, 0)]
        ingest_stories(path, [("Coast News", "quake_a1", noon[0]), ("Coast News", "derby", noon[1])])
        with open_app(path) as app:
            since = noon[0] - timedelta(hours=11)  # the daemon ran since that morning
            mark_daemon_start(app.store, since)
            mark_mail_start(app.store, None, since)
            while not daemon_mod._WAKE.empty():
                daemon_mod._WAKE.get_nowait()
            sched = make_scheduler(app.cfg, tick=60)
            # asleep since before the run of the day after noon[0] (it covers noon[0]'s day)
            sched.modify_job(DIGEST_JOB, next_run_time=digest_moment(latest, hhmm, tz))
            d = Daemon(app)
            try:
                sched.resume()  # awake
                kind = daemon_mod._WAKE.get(timeout=10)
            finally:
                sched.shutdown()
            d._handle(kind)
            d._handle(kind)  # again: nothing more
        assert len(inbox.messages) == 2
        for day in (latest - timedelta(days=1), latest):
            assert (tmp_path / "out" / f"digest-{day.isoformat()}.html").is_file()


@pytest.mark.parametrize(("old", "new"), [("UTC", "Asia/Tokyo"), ("Europe/Berlin", "Pacific/Kiritimati"),
                                          ("Asia/Tokyo", "America/New_York")])
def test_an_article_is_mailed_once_when_the_time_zone_moves(tmp_path: Path, old: str, new: str) -> None:
    """The daemon mails 10 November in ``old``; the reader then sets ``new`` (moved, or mended
    a wrong zone) and the daemon goes on, hour by hour: each article is in one mail.  Moved
    east, the evening mailed in the old zone's 10 November was in the new zone's 11th too."""
    from digest.app import open_app
    from digest.service.daemon import Daemon
    from digest.service.maildays import mark_daemon_start
    from tests.support.daemon import Clock, smtpd
    from tests.support.digests import ingest_stories

    (tmp_path / "coast").mkdir()
    day = datetime(2026, 11, 10, tzinfo=UTC)
    titles = {"quake_a1": "Taranaki", "derby": "Coastal derby", "council_b": "Free buses", "quake_b": "Gisborne"}
    hours = {"quake_a1": 10, "derby": 20, "council_b": 27, "quake_b": 40}  # UTC, from the 10th
    clock = Clock()
    with smtpd() as (inbox, port):
        def configured(zone: str) -> Path:
            return _mailing_config(tmp_path, port, zone, "00:00")[1]

        def arrive(path: Path, *names: str) -> None:
            ingest_stories(path, [("Coast News", n, day + timedelta(hours=hours[n])) for n in names])

        path = configured(old)
        with open_app(path) as app:
            mark_daemon_start(app.store, day - timedelta(days=1))
        arrive(path, "quake_a1", "derby")
        with open_app(path) as app:  # the old zone's 10 November, mailed
            clock.now = datetime.combine(day.date() + timedelta(days=1), datetime.min.time(), ZoneInfo(old))
            Daemon(app, clock=clock).catch_up()
        arrive(path, "council_b")
        path = configured(new)
        arrive(path, "quake_b")
        with open_app(path) as app:
            for h in range(0, 90, 2):
                clock.now = day + timedelta(hours=h, minutes=1)
                Daemon(app, clock=clock).catch_up()
        bodies = [m.get_body(("plain",)).get_content() for m in inbox.messages]
        assert bodies
        for name, title in titles.items():
            assert sum(title in body for body in bodies) == 1, (name, [m["Subject"] for m in inbox.messages])


@pytest.mark.parametrize("digest_day", ["yesterday", "today"])
def test_an_article_stamped_before_a_seal_and_stored_after_it_is_mailed(tmp_path: Path, digest_day: str) -> None:
    """A ``digest run`` beside the daemon (another process, the same store on disk) stamps a
    source's arrival when it reads it, and stores it after cleaning (full text: seconds more).
    The daemon's digest (00:00, Europe/Berlin; or 18:00 with ``--digest-day today``) sealed the
    day in between: the article was in the sealed day's window, not in its mail, and in no later
    one.  Now it is the next day's."""
    from digest.app import open_app
    from digest.service.daemon import Daemon
    from digest.service.maildays import mark_daemon_start
    from tests.support.daemon import Clock, smtpd
    from tests.support.digests import ingest_stories, ingest_story

    tz = ZoneInfo("Europe/Berlin")
    hhmm = "00:00" if digest_day == "yesterday" else "18:00"
    offset = -1 if digest_day == "yesterday" else 0
    (tmp_path / "coast").mkdir()
    with smtpd() as (inbox, port):
        _cfg, path = _mailing_config(tmp_path, port, "Europe/Berlin", hhmm)
        day = date(2026, 3, 28)  # the night before the clocks go forward
        due = datetime.combine(day + timedelta(days=-offset), datetime.strptime(hhmm, "%H:%M").time(), tz)
        ingest_stories(path, [("Coast News", "quake_a1", due - timedelta(hours=5))])
        clock = Clock()
        with open_app(path) as daemon_app, open_app(path) as run_app:
            mark_daemon_start(daemon_app.store, due - timedelta(days=2))
            stamped = due - timedelta(seconds=8)  # the run read the feed then
            clock.now = due + timedelta(seconds=2)
            Daemon(daemon_app, clock=clock, day_offset=offset).digest(scheduled=True)  # seals the day
            ingest_story(run_app, "Coast News", "derby", stamped)  # ... and stores it now
            clock.now += timedelta(days=1)
            Daemon(daemon_app, clock=clock, day_offset=offset).digest(scheduled=True)
        bodies = [m.get_body(("plain",)).get_content() for m in inbox.messages]
        assert len(bodies) == 2
        assert ["Taranaki" in b for b in bodies] == [True, False]
        assert ["Coastal derby" in b for b in bodies] == [False, True]

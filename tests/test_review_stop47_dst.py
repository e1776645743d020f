"""Stop 47's review: daylight-saving time and the day's hours (docs/design.md, "a day").  Real
parts: SQLite files on disk, the daemon's digest step with its clock moved by hand, a loopback
SMTP server (aiosmtpd), the ``digest`` commands."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.app import App, RunReport, open_app
from digest.config import SourceConfig
from digest.records import Entry
from digest.service.daemon import Daemon
from digest.service.digesttime import DigestTrigger
from tests.support.config import make_config
from tests.support.daemon import Clock, smtpd
from tests.test_timeline import text_of


def _ingest(app: App, name: str, source: str, at: datetime) -> None:
    """One fixture article of ``source`` read at ``at``, as a poll stores it."""
    title, body = text_of(name)
    entry = Entry(source=source, title=title, text=body, entry_id=f"{name}@{source}", published=at)
    app.ingest(SourceConfig(name=source, path=Path(source)), [entry], fetched=at, report=RunReport())


def _mail_config(tmp_path: Path, port: int, zone: str, hhmm: str) -> Path:
    path = make_config(
        tmp_path, timezone=zone, write=True, schedule={"digest_time": hhmm},
        email={"host": "127.0.0.1", "port": port, "security": "none",
               "from": "digest@example.org", "to": ["me@example.org"]},
    ).config_path
    assert path is not None
    return path


def test_the_daemon_mails_the_day_before_a_day_the_zone_skipped(tmp_path: Path) -> None:
    """Samoa skipped Friday 30 December 2011 (Thursday 23:59 -10 was followed by Saturday 00:00
    +14).  At 07:00 on the 31st the day that ended is the 29th, but the digest due was the
    30th's, a day of no hours and no stories.  Through the scheduled run the week's catch-up
    mails the 29th all the same, where mailing had begun before; a daemon first started (or a
    cron's first ``digest send``) on the 31st mailed nothing, and the 29th's news, the latest
    day that ended, never went out ("the daemon's start catches up each digest's latest period
    missed while it was down")."""
    zone = "Pacific/Apia"
    with smtpd() as (inbox, port):
        cfg_path = _mail_config(tmp_path, port, zone, "07:00")
        with open_app(cfg_path) as app:
            _ingest(app, "council_a", "City Desk", datetime(2011, 12, 29, 20, tzinfo=UTC))  # Thu 29th, 10:00
            clock = Clock()
            clock.now = datetime(2011, 12, 30, 19, tzinfo=UTC)  # Sat 31st, 09:00 +14
            Daemon(app, clock=clock).catch_up()
    subjects = [str(m["Subject"]) for m in inbox.messages]
    assert subjects == ["digest for 2011-12-29: 1 story"]


def test_the_daemons_digest_after_a_skipped_day_is_the_day_before_s(tmp_path: Path) -> None:
    """The scheduler's runs around Samoa's skipped day (``DigestTrigger``, 07:00): Thursday 29th
    mails the 28th, Saturday 31st the 29th (as the latest period, not as a catch-up behind an
    empty 30th), Sunday 1st the 31st: each day with news once."""
    zone = "Pacific/Apia"
    with smtpd() as (inbox, port):
        cfg_path = _mail_config(tmp_path, port, zone, "07:00")
        trigger = DigestTrigger("07:00", ZoneInfo(zone))
        with open_app(cfg_path) as app:
            _ingest(app, "quake_a1", "Coast News", datetime(2011, 12, 28, 20, tzinfo=UTC))  # Wed 28th, 10:00
            _ingest(app, "council_a", "City Desk", datetime(2011, 12, 29, 20, tzinfo=UTC))  # Thu 29th, 10:00
            _ingest(app, "derby", "Valley Wire", datetime(2011, 12, 31, 1, tzinfo=UTC))  # Sat 31st, 15:00
            fired, now, clock = None, datetime(2011, 12, 28, 19, tzinfo=UTC), Clock()
            for _ in range(3):  # Thu 29th 07:00, Sat 31st 07:00, Sun 1st 07:00
                fired = trigger.get_next_fire_time(fired, now)
                clock.now = fired.astimezone(UTC)
                Daemon(app, clock=clock)._handle("digest")  # the job's wake
    subjects = [str(m["Subject"]) for m in inbox.messages]
    assert subjects == ["digest for 2011-12-28: 1 story", "digest for 2011-12-29: 1 story",
                        "digest for 2011-12-31: 1 story"]


def test_the_run_line_says_which_0130_the_days_digest_went_out_at(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """London, Sunday 25 October 2026: 01:00-02:00 happens twice.  The daemon (``--digest-day
    today``, ``digest_time: "01:30"``) wrote and sealed the day at 01:30 BST (00:30 UTC); a
    ``digest run`` at 01:10 GMT, forty minutes later, said its articles went to the 26th as
    "today's went out at 01:30": twenty minutes from now, as the reader's clock reads."""
    from digest.cli import main
    from tests.test_run_line import note

    notes = tmp_path / "notes"
    note(notes, "ferry.md", "Ferry Aurora runs aground near Kestrel Point")

    def cfg(clock: str | None) -> Path:
        extra = {"clock": clock} if clock else {}
        path = make_config(tmp_path, {"Desk": notes}, write=True, timezone="Europe/London",
                           schedule={"digest_time": "01:30"}, **extra).config_path
        assert path is not None
        return path

    assert main(["run", "--config", str(cfg("2026-10-25T00:10:00Z")), "--quiet"]) == 0
    at = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST, the first 01:30
    with open_app(cfg(None)) as app:
        Daemon(app, day_offset=0, clock=lambda: at).digest(scheduled=True)
    note(notes, "gale.md", "Gale warning for the coast")
    capsys.readouterr()
    assert main(["run", "--config", str(cfg("2026-10-25T01:10:00Z"))]) == 0  # 01:10 GMT
    err = capsys.readouterr().err
    assert "(in 2026-10-26's digest: today's went out at 01:30 BST)" in err, err


def test_the_last_digest_moment_is_never_after_now_beside_a_skipped_day() -> None:
    """At 02:00 on Samoa's Saturday 31 December 2011 (12:00 UTC on the 30th) the latest 07:00
    was Thursday's; ``last_digest_moment`` stepped back one day only, to the skipped Friday,
    whose 07:00 (read with Thursday's offset) is Saturday's 07:00, five hours on: a moment
    after now, and the 29th's digest due (a daemon started then mailed it before its time)."""
    from digest.service.polling import digest_due, last_digest_moment

    apia, now = ZoneInfo("Pacific/Apia"), datetime(2011, 12, 30, 12, tzinfo=UTC)
    assert last_digest_moment(now, "07:00", apia) <= now
    assert last_digest_moment(now, "07:00", apia) == datetime(2011, 12, 29, 17, tzinfo=UTC)
    assert digest_due(now, "07:00", apia) == datetime(2011, 12, 28).date()

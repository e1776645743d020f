"""Stop 59's review of ``digest send --again`` and ``digest status``, against real parts: a feed on
a loopback HTTP server, aiosmtpd on 127.0.0.1, SQLite on disk (a read-only bind mount where root
may make one)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from digest.cli import main
from tests.support.daemon import smtpd
from tests.support.disks import read_only
from tests.support.httpd import TestServer
from tests.test_mail_at_most_once import KILLED_SEND
from tests.test_send_again import ANN, BOB, _read_yesterday, _rows, _send
from tests.test_status import ROOT, _config, _set, _status, refusing_smtpd


def _edit(cfg: Path, **top: object) -> None:
    data = yaml.safe_load(cfg.read_text())
    data.update(top)
    cfg.write_text(yaml.safe_dump(data))


def test_again_of_a_day_with_no_stories_now_mails_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The copy is built again from the store: a mute rule added since the day was mailed left
    it empty, and ``--again`` mailed "digest for DAY: 0 stories" as the lost copy (``send``
    mails no empty digest).  Now one line, nothing mailed, exit 2."""
    with TestServer() as srv, smtpd() as (inbox, port):
        cfg, day = _read_yesterday(tmp_path, srv, port)
        assert _send(cfg, day) == 0
        assert [m["Subject"] for m in inbox.messages] == [f"digest for {day}: 1 story"] * 2
        rows = _rows(cfg, day)
        _edit(cfg, filters=[{"mute": "alpha"}])  # every story of the feed muted from now on
        capsys.readouterr()
        assert _send(cfg, day, "--again", "--to", ANN) == 2
        err = capsys.readouterr().err.splitlines()
        assert err == [f"error: digest {day}: it has no stories now (its filters, sections or sources changed "
                       "since it was mailed): nothing was mailed again"], err
        assert len(inbox.messages) == 2 and _rows(cfg, day) == rows


def test_again_twice_under_a_fixed_clock_gives_each_copy_its_own_message_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The copy's Message-ID was made of the day, the reader and the time: with ``clock:`` set
    (the bundled examples) two resends had one id, and a client holding the first copy drops
    the second as the same message."""
    with TestServer() as srv, smtpd() as (inbox, port):
        cfg, day = _read_yesterday(tmp_path, srv, port)
        assert _send(cfg, day) == 0
        _edit(cfg, clock=f"{date.fromisoformat(day) + timedelta(days=1)}T12:00:00Z")
        assert _send(cfg, day, "--again", "--to", ANN) == 0
        assert _send(cfg, day, "--again", "--to", ANN) == 0
        ids = [m["Message-ID"] for m in inbox.messages]
        assert [m["To"] for m in inbox.messages[2:]] == [ANN, ANN]
        assert len(set(ids)) == 4, ids
        assert inbox.messages[2]["References"] == inbox.messages[3]["References"] == inbox.messages[0]["Message-ID"]


def test_status_reads_a_store_in_a_folder_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """"It only reads ... as any user who can read the store" (docs/daemon.md): with the store's
    folder not writable (a monitoring user's, a read-only mount) and no daemon running, SQLite
    could not make the -wal and -shm files a WAL store's reader needs, and status said "cannot
    read the store: the store or its folder cannot be written", exit 2.  Now it reads the file
    as it is (nobody has it open: no -wal), the same lines as beside a writable folder."""
    with TestServer() as srv, smtpd() as (_inbox, port):
        cfg = _config(tmp_path, srv, port)
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        _set(cfg, clock="2026-11-21T08:00:00Z")
        assert main(["send", "--config", str(cfg)]) == 0
        code, out, err = _status(cfg, capsys)
        assert code == 0 and err == "", err
        data = tmp_path / "data"
        names = sorted(p.name for p in data.iterdir())
        with read_only(data):
            code_ro, out_ro, err_ro = _status(cfg, capsys)
        assert (code_ro, err_ro) == (0, ""), err_ro
        assert out_ro == out
        assert sorted(p.name for p in data.iterdir()) == names


def _torn_by_a_send(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                    cls: type, **settings: object) -> None:
    """The 20th refused; then, between status's reading of the delivery rows and its reading of
    what is owed, a real ``digest send`` (another process) mails it: status says what the store
    held when it began (one moment), not half of each."""
    with TestServer() as srv, refusing_smtpd() as bad, smtpd() as (inbox, good):
        cfg = _config(tmp_path, srv, bad, **settings)
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0
        _set(cfg, clock="2026-11-21T07:05:00Z")
        assert main(["send", "--config", str(cfg)]) != 0
        _set(cfg, email={"port": good})
        code, before, _ = _status(cfg, capsys)
        assert code == 1 and "  owed: 2026-11-20 (due 2026-11-21 07:00 UTC): failed: " in "\n".join(before)
        read = cls.deliveries_since

        def then_a_send(self: object, first: str) -> object:
            rows = read(self, first)
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            done = subprocess.run([sys.executable, "-m", "digest", "send", "--config", str(cfg)], env=env,
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            return rows

        monkeypatch.setattr(cls, "deliveries_since", then_a_send)
        code, during, err = _status(cfg, capsys)
        assert len(inbox.messages) == 2  # the send went through meanwhile
        assert (code, during) == (1, before), (err, during)
        monkeypatch.undo()
        code, after, _ = _status(cfg, capsys)
    assert code == 0 and after[-1] == "ok: nothing needs attention", after


def test_status_reads_one_moment_of_a_store_a_send_writes_meanwhile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each query was a moment of its own: the rows said the 20th failed, the owed days (read
    after the send) said it was owed no more, and status printed "to ann@...: mailing
    2026-11-20 failed ... and nothing was sent to them since" of a day just sent."""
    from digest.store.readonly import ReadOnlySQLite

    _torn_by_a_send(tmp_path, capsys, monkeypatch, ReadOnlySQLite)


def test_status_reads_one_moment_of_a_postgresql_store_a_send_writes_meanwhile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.services import pg_schema

    with pg_schema() as url:
        from digest.store.pg_readonly import ReadOnlyPostgres

        _torn_by_a_send(tmp_path, capsys, monkeypatch, ReadOnlyPostgres, database=url)


def _sent_and_killed_after_the_end(tmp_path: Path, srv: TestServer, port: int) -> Path:
    """A configuration mailing ann, the 20th read, and the 21st's cron ``digest send`` (07:10)
    killed once the 20th's whole message had left (its row *whole*)."""
    cfg = _config(tmp_path, srv, port)
    _set(cfg, email={"to": ["ann@example.org"]})
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    _set(cfg, clock="2026-11-21T07:10:00Z")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "POINT": "after-end"}
    killed = subprocess.run([sys.executable, "-c", KILLED_SEND, "send", "--config", str(cfg)], env=env,
                            capture_output=True, timeout=120)
    assert killed.returncode == -9, killed.stderr.decode(errors="replace")
    return cfg


def test_a_send_killed_after_the_message_left_owes_the_day_to_nobody(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cron's ``digest send`` killed once the whole message had left (its row *whole*): the
    reader's line said "sent unconfirmed", and beside it "owed: 2026-11-20" and "attention: ...
    owed since ..., not mailed", exit 1, though the next send mails nothing (it counts the row
    sent, unconfirmed: ``settle_whole``).  Now the day is owed to nobody, as the send finds."""
    with TestServer() as srv, smtpd() as (inbox, port):
        cfg = _sent_and_killed_after_the_end(tmp_path, srv, port)
        _set(cfg, clock="2026-11-21T08:00:00Z")  # an hour past its time
        code, out, _ = _status(cfg, capsys)
        assert code == 0, out
        assert any(line.startswith("  ann@example.org: sent unconfirmed 2026-11-20") for line in out), out
        assert not any(line.startswith(("  owed: ", "attention: ")) for line in out), out
        assert main(["send", "--config", str(cfg)]) == 0  # what the next send does: nothing mailed
        deadline = time.monotonic() + 10
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(inbox.messages) == 1


def test_again_to_two_addresses_is_refused_not_mailed_to_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--to "ann@..., bob@..."`` read as its first address: ann alone was mailed again, exit 0,
    and bob, asked for, not.  Now one error line, nothing mailed; a quoted display name holding a
    comma ('"Doe, Ann" <ann@...>') is still one address."""
    with TestServer() as srv, smtpd() as (inbox, port):
        cfg, day = _read_yesterday(tmp_path, srv, port)
        assert _send(cfg, day) == 0
        capsys.readouterr()
        assert _send(cfg, day, "--again", "--to", f"{ANN}, {BOB}") == 2
        err = capsys.readouterr().err.splitlines()
        assert err == [f"error: --to takes one address ({ANN}, {BOB}: 2); nothing was sent"], err
        assert len(inbox.messages) == 2
        assert _send(cfg, day, "--again", "--to", f'"Doe, Ann" <{ANN}>') == 0
        assert [m["To"] for m in inbox.messages[2:]] == [ANN]


def test_the_already_sent_unconfirmed_line_names_the_day_its_command_mails_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cron's send killed after the 20th's message left; the next send's line said "if it never
    arrived, 'digest send --again' mails it again".  That command mails the latest day due: run
    the day after, when the reader says it never came, it was the 21st's ("never sent", exit 2,
    or the 21st's digest a second time), not the 20th's.  The line now names the day."""
    with TestServer() as srv, smtpd() as (inbox, port):
        cfg = _sent_and_killed_after_the_end(tmp_path, srv, port)
        capsys.readouterr()
        assert main(["send", "--config", str(cfg)]) == 0
        said = capsys.readouterr().err
        (command,) = re.findall(r"'(digest send --again[^']*)' mails it again", said)
        _set(cfg, clock="2026-11-22T09:00:00Z")  # the next day: the reader says it never came
        assert main([*command.split()[1:], "--config", str(cfg)]) == 0, capsys.readouterr().err
        deadline = time.monotonic() + 10
        while len(inbox.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [m["Subject"] for m in inbox.messages] == ["digest for 2026-11-20: 1 story"] * 2

"""PostgreSQL failing under a running daemon (reviews, stop 48): a server restarted or killed,
a connection the server ends.

Real parts: a PostgreSQL server of the test's own (``initdb`` on a free port, in a
temporary folder; stopped and removed afterwards), feeds on loopback HTTP, the ``digest``
CLI in a process of its own.  Skipped without PostgreSQL's server binaries or psycopg
(failing with DIGEST_REQUIRE_SERVICES, as ``tests/support/services.py``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.daemon import free_port, loopback_config, rss, spawn_digest
from tests.support.httpd import TestServer, wait_until

pytestmark = pytest.mark.scale

ROOT = Path(__file__).resolve().parents[1]


def _unavailable(reason: str) -> None:
    if os.environ.get("DIGEST_REQUIRE_SERVICES"):
        pytest.fail(f"{reason}, but DIGEST_REQUIRE_SERVICES is set")
    pytest.skip(reason)


def _pg_bin() -> Path | None:
    """A folder holding PostgreSQL's initdb, pg_ctl and pg_isready (Debian keeps them in
    /usr/lib/postgresql/N/bin, off the PATH)."""
    tools = ("initdb", "pg_ctl", "pg_isready")
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]) if
                  d.split("/")[-2].isdigit() else 0, reverse=True)
    found = shutil.which("initdb")
    for d in [*([str(Path(found).parent)] if found else []), *dirs]:
        if all((Path(d) / t).exists() for t in tools):
            return Path(d)
    return None


class PrivatePostgres:
    """A PostgreSQL server of this test's own, to kill and start again."""

    def __init__(self) -> None:
        pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[scale]')")
        bindir = _pg_bin()
        if bindir is None:
            _unavailable("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
        assert bindir is not None
        self.bin = bindir
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run the server as nobody
            runuser = shutil.which("runuser")
            if runuser is None:
                _unavailable("running as root without runuser: initdb refuses root")
            self.as_user = [str(runuser), "-u", "nobody", "--"]
        self.dir = Path(tempfile.mkdtemp(prefix="digest-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if self.as_user:
            os.chown(self.dir, 65534, 65534)
        subprocess.run([*self.as_user, str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                        "--auth=trust", "--no-sync"], check=True, capture_output=True, timeout=120)
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql://postgres:secret@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-l",
                        str(self.dir / "log"), "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
                        "start"], check=True, capture_output=True, timeout=60)

    def kill9(self) -> None:
        """``kill -9`` the postmaster and every server process it started."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        for p in [pid, *map(int, children)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)
        wait_until(lambda: subprocess.run([str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                                          capture_output=True).returncode != 0, timeout=10)

    def stop(self) -> None:
        subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                        "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def server() -> Iterator[PrivatePostgres]:
    if shutil.which("pgrep") is None:
        _unavailable("pgrep is not installed")
    pg = PrivatePostgres()
    try:
        yield pg
    finally:
        pg.stop()


def count(url: str, sql: str) -> list[tuple[object, ...]]:
    import psycopg

    with psycopg.connect(url.replace(":secret", ""), connect_timeout=5) as con:
        return con.execute(sql).fetchall()


def spawn_daemon(cfg: Path, log: Path) -> subprocess.Popen[bytes]:
    return spawn_digest("daemon", "--config", str(cfg), log=log)


@pytest.mark.slow  # a server killed and started again: ~15 s
def test_the_daemon_goes_on_when_postgresql_is_killed_and_comes_back(server: PrivatePostgres, tmp_path: Path) -> None:
    """The daemon exited at its first round after the server came back ("the connection to
    PostgreSQL was lost ...: restart digest"): nothing was polled until someone restarted it."""
    import psycopg

    with psycopg.connect(server.url.replace(":secret", ""), autocommit=True) as con:
        con.execute("DROP SCHEMA IF EXISTS public CASCADE")
        con.execute("CREATE SCHEMA public")
    log = tmp_path / "daemon.log"
    with TestServer() as srv:
        srv.set("/a", rss("alpha", range(3)))
        srv.set("/b", rss("beta", range(3)))
        cfg = loopback_config(tmp_path, srv, {"alpha": "/a", "beta": "/b"}, database=server.url)
        proc = spawn_daemon(cfg, log)
        try:
            assert wait_until(lambda: "poll: 6 new articles" in log.read_text(), timeout=60), log.read_text()
            server.kill9()
            srv.set("/a", rss("alpha", range(5)))  # two new items while the server is down
            time.sleep(3)  # a few rounds meet the server down
            assert proc.poll() is None, log.read_text()[-3000:]
            server.start()
            srv.set("/b", rss("beta", range(6)))  # and three once it is back

            def stored() -> bool:
                return count(server.url, "SELECT count(*) FROM articles")[0][0] == 11

            assert wait_until(stored, timeout=60), log.read_text()[-3000:]
            assert proc.poll() is None, log.read_text()[-3000:]
            # each article once
            assert count(server.url, "SELECT count(*), count(DISTINCT key) FROM articles")[0] == (11, 11)
            # the daemon still holds its lock: a second one is refused, naming it
            second = subprocess.run([sys.executable, "-m", "digest", "daemon", "--config", str(cfg)],
                                    cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                    capture_output=True, text=True, timeout=60)
            assert second.returncode == 2
            assert f"another digest daemon is already running (pid {proc.pid})" in second.stderr
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=20) == 0, log.read_text()[-3000:]
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    text = log.read_text()
    assert "Traceback" not in text, text[-3000:]
    errors = [line for line in text.splitlines() if " ERROR digest." in line]
    assert sum("the connection to PostgreSQL was lost" in line for line in errors) == 1, errors
    assert all("lost" in line or "cannot connect" in line for line in errors), errors
    assert sum("cannot connect" in line for line in errors) <= 1, errors  # said once while down
    assert "secret" not in text
    assert "connected again" in text


def _signal_server(server: PrivatePostgres, sig: signal.Signals) -> None:
    pid = int((server.data / "postmaster.pid").read_text().split()[0])
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    for p in [pid, *map(int, children)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(p, sig)


def _answers(server: PrivatePostgres) -> bool:
    import psycopg

    try:
        psycopg.connect(server.url.replace(":secret", ""), connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def _fails_within(seconds: float, work: Callable[[], object]) -> BaseException | None:
    """Run ``work`` in a thread; the exception it raised within ``seconds``, None if it had not
    ended (or ended without one)."""
    import threading

    raised: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    return raised[0] if raised and not thread.is_alive() else None


@pytest.mark.slow  # a server frozen for ~10 s
def test_a_statement_on_a_frozen_server_fails_instead_of_hanging(
    server: PrivatePostgres, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that stops answering (SIGSTOP, a paused VM) left ``digest run``, a worker or the
    daemon waiting for good: libpq has no client-side limit and the kernel answers keepalives."""
    from digest.errors import StoreLost
    from digest.service.schedule import make_scheduler
    from digest.store.base import open_store
    from tests.support.config import make_config

    monkeypatch.setattr("digest.store.params.STALL_SECONDS", 2.0)
    monkeypatch.setattr("digest.store.params.PROBE_TIMEOUT", 2)
    store = open_store(server.url)
    cfg = make_config(tmp_path, {}, database=server.url)
    sched = make_scheduler(cfg, tick=60)  # the daemon's job store: its own connection
    try:
        _signal_server(server, signal.SIGSTOP)
        try:
            failed = _fails_within(30, store.list_source_states)
            jobs_failed = _fails_within(30, sched.get_jobs)
        finally:
            _signal_server(server, signal.SIGCONT)
            wait_until(lambda: _answers(server), timeout=30)  # resumed: the next test's connect
        assert failed is not None, "the statement still waits on the frozen server"
        lost = store.lost()  # type: ignore[attr-defined]
        assert isinstance(lost, StoreLost) and "connection to PostgreSQL was lost" in str(lost)
        assert jobs_failed is not None, "the job store's statement still waits on the frozen server"
        # a server that answers is waited on: a lock another session holds is not cut
        import psycopg

        store.reconnect()  # type: ignore[attr-defined]
        # the probe as patient as the daemon's: a loaded machine is slow to connect, not frozen
        monkeypatch.setattr("digest.store.params.PROBE_TIMEOUT", 10)
        import threading

        waiting = threading.Thread(target=lambda: store.db.execute("SELECT pg_advisory_lock(48)"),  # type: ignore[attr-defined]
                                   daemon=True)
        with psycopg.connect(server.url.replace(":secret", ""), autocommit=True) as other:
            other.execute("SELECT pg_advisory_lock(48)")
            waiting.start()
            waiting.join(5)
            assert waiting.is_alive() and store.lost() is None  # type: ignore[attr-defined]
        waiting.join(30)  # the lock released: the wait ends before the store closes under it
        assert not waiting.is_alive()
    finally:
        sched.shutdown(wait=False)
        store.close()


@pytest.mark.slow  # a scheduler ticking for a few seconds
def test_the_schedulers_thread_outlives_a_connection_cut_as_it_writes_a_jobs_next_time(
    server: PrivatePostgres, tmp_path: Path
) -> None:
    """The server ended the job store's connection between reading the due jobs and writing
    the next run time: APScheduler's thread died of it (a traceback), and the daemon, woken by
    nothing more, polled and mailed no more while it looked alive."""
    import queue

    import psycopg

    from digest.service import daemon as daemon_mod
    from digest.service.schedule import POLL_JOB, make_scheduler
    from tests.support.config import make_config

    admin = server.url.replace(":secret", "")
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute("DROP SCHEMA IF EXISTS sched CASCADE")
        con.execute("CREATE SCHEMA sched")
    url = f"{server.url}?options=-csearch_path%3Dsched"
    cfg = make_config(tmp_path, {}, database=url)
    sched = make_scheduler(cfg, tick=0.5)
    try:
        with psycopg.connect(admin, autocommit=True) as con:  # the first next-time written: cut
            con.execute("CREATE SEQUENCE sched.cut_once")
            con.execute(
                "CREATE FUNCTION sched.cut() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF nextval('sched.cut_once') = 1 THEN PERFORM pg_terminate_backend(pg_backend_pid()); "
                "END IF; RETURN NEW; END $$")
            con.execute(f"CREATE TRIGGER cut BEFORE UPDATE ON sched.apscheduler_jobs FOR EACH ROW "
                        f"WHEN (NEW.id = '{POLL_JOB}') EXECUTE FUNCTION sched.cut()")
        while not daemon_mod._WAKE.empty():
            daemon_mod._WAKE.get_nowait()
        sched.resume()
        assert wait_until(lambda: count(url, "SELECT is_called FROM sched.cut_once")[0][0], timeout=10)
        time.sleep(0.5)
        while not daemon_mod._WAKE.empty():  # the wakes before the cut
            daemon_mod._WAKE.get_nowait()
        # and after it: the poll job fires again (APScheduler looks again 10 s on)
        try:
            assert daemon_mod._WAKE.get(timeout=20) == "poll"
        except queue.Empty:
            pytest.fail("the scheduler woke the daemon no more after the cut")
    finally:
        sched.shutdown(wait=False)


def test_a_digest_mailed_as_the_server_ends_the_connection_is_recorded_not_mailed_again(
    server: PrivatePostgres, tmp_path: Path
) -> None:
    """The server ended the daemon's connection (``pg_terminate_backend``, an idle-session
    limit, a restart) while the mail server took the digest: the send could not be recorded,
    the daemon exited at its next round, and its restart mailed the digest again."""
    import psycopg

    from digest.app import open_app
    from digest.output import mailer
    from digest.service.daemon import Daemon
    from tests.support.daemon import Inbox, config_with_mail, smtpd

    admin = server.url.replace(":secret", "")
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute("DROP SCHEMA IF EXISTS mail CASCADE")
        con.execute("CREATE SCHEMA mail")
    url = f"{server.url}?options=-csearch_path%3Dmail"
    victim: list[int] = []

    class CuttingInbox(Inbox):
        async def handle_DATA(self, server_: object, session: object, envelope: object) -> str:
            if victim:  # the first message: the store's connection ends before the 250
                with psycopg.connect(admin, autocommit=True) as con:
                    con.execute("SELECT pg_terminate_backend(%s)", (victim.pop(),))
            return await super().handle_DATA(server_, session, envelope)

    with TestServer() as srv, smtpd(CuttingInbox()) as (inbox, port):
        cfg_path = config_with_mail(tmp_path, srv, port)
        with cfg_path.open("a") as f:
            f.write(f"database: '{url}'\n")
        with open_app(cfg_path) as app:
            d = Daemon(app, day_offset=0)
            d.poll_due()
            victim.append(app.store.db.info.backend_pid)  # type: ignore[attr-defined]
            # the daemon's loop runs each round guarded (before: a lost connection ended it)
            guarded = getattr(d, "_guarded", None)
            with contextlib.suppress(Exception):
                (guarded or (lambda work: work()))(lambda: d.digest(scheduled=False))
            assert len(inbox.messages) == 1
            if guarded is not None:
                guarded(d.poll_due)  # the next round: connected again, the send recorded
                assert app.store.lost() is None  # type: ignore[attr-defined]
        mailer._ACCEPTED.clear()  # another process (a restart, `digest send`) knows nothing of it
        with open_app(cfg_path) as app:  # ... and mails nothing again
            Daemon(app, day_offset=0).catch_up()
            rows = app.store.db.execute("SELECT status FROM deliveries").fetchall()  # type: ignore[attr-defined]
        assert [r["status"] for r in rows] == ["sent"]
        assert len(inbox.messages) == 1


@pytest.mark.slow  # a Redis frozen for ~30 s (its socket_timeout)
def test_a_frozen_redis_is_one_line_after_one_timeout_not_after_four(tmp_path: Path) -> None:
    """A Redis that stops answering (SIGSTOP, a paused VM): redis-py retried each command three
    times after its 30 s timeout, and a run waited 5.5 minutes for its one line."""
    from digest.errors import IndexUnavailable
    from tests.support.services import need_redis_client

    need_redis_client()
    exe = shutil.which("redis-server")
    if exe is None:
        _unavailable("redis-server is not installed")
    from digest.dedup.index_redis import open_index

    port = free_port()
    proc = subprocess.Popen([str(exe), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        def listening() -> bool:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
            except OSError:
                return False
            return True

        assert wait_until(listening, timeout=10)
        index = open_index(f"redis://127.0.0.1:{port}/0?basename=frozen", 0.08)
        assert "k" not in index
        proc.send_signal(signal.SIGSTOP)
        t0 = time.monotonic()
        failed = _fails_within(50, lambda: "k" in index)
        took = time.monotonic() - t0
        proc.send_signal(signal.SIGCONT)
        assert isinstance(failed, IndexUnavailable), failed
        assert "cannot reach Redis" in str(failed) and "\n" not in str(failed)
        assert took < 45
        assert "k" not in index  # Redis back: the next command goes through
    finally:
        proc.send_signal(signal.SIGCONT)
        proc.terminate()
        proc.wait(10)


def test_digest_send_records_a_send_the_server_took_as_postgresql_ended_its_connection(
    server: PrivatePostgres, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest send`` (cron) whose connection PostgreSQL ended while the mail server took the
    digest: the send was left pending ("mailed ..., but not recorded as sent"), and the next
    ``digest send`` mailed the digest again."""
    from datetime import UTC, datetime, timedelta

    import psycopg

    from digest.app import open_app
    from digest.cli import main
    from digest.output import mailer
    from tests.support.daemon import Inbox, config_with_mail, smtpd

    admin = server.url.replace(":secret", "")
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute("DROP SCHEMA IF EXISTS send CASCADE")
        con.execute("CREATE SCHEMA send")
    url = f"{server.url}?options=-csearch_path%3Dsend"
    cut = [True]

    class CuttingInbox(Inbox):  # the first message: every digest connection ends before the 250
        async def handle_DATA(self, server_: object, session: object, envelope: object) -> str:
            if cut:
                cut.clear()
                with psycopg.connect(admin, autocommit=True) as con:
                    con.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE pid <> pg_backend_pid() AND query NOT LIKE '%apscheduler%' "
                                "AND backend_type = 'client backend'")
            return await super().handle_DATA(server_, session, envelope)

    with TestServer() as srv, smtpd(CuttingInbox()) as (inbox, port):
        cfg_path = config_with_mail(tmp_path, srv, port)
        with cfg_path.open("a") as f:
            f.write(f"database: '{url}'\n")
        then = datetime.now(UTC) - timedelta(days=1)  # a day that has ended: `send --date` takes it
        with open_app(cfg_path) as app:
            app.run(now=then)
        main(["send", "--config", str(cfg_path), "--date", then.date().isoformat()])
        assert len(inbox.messages) == 1
        mailer._ACCEPTED.clear()  # the next cron line is another process
        main(["send", "--config", str(cfg_path), "--date", then.date().isoformat()])
        assert len(inbox.messages) == 1, capsys.readouterr().err


def test_a_job_table_that_fails_is_one_line_not_the_sql_on_lines_of_its_own(
    server: PrivatePostgres, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """APScheduler said a job table that failed (every 10 s while the server is away) with the
    SQL, its parameters and SQLAlchemy's link on lines of their own."""
    import logging

    import psycopg

    from digest.service.schedule import make_scheduler
    from tests.support.config import make_config

    admin = server.url.replace(":secret", "")
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute("DROP SCHEMA IF EXISTS sched2 CASCADE")
        con.execute("CREATE SCHEMA sched2")
    cfg = make_config(tmp_path, {}, database=f"{server.url}?options=-csearch_path%3Dsched2")
    caplog.set_level(logging.WARNING, logger="apscheduler")
    caplog.set_level(logging.WARNING, logger="digest.daemon")
    sched = make_scheduler(cfg, tick=0.5)
    try:
        sched.resume()
        time.sleep(1.5)
        with psycopg.connect(admin, autocommit=True) as con:  # the job table's connection ends
            con.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> "
                        "pg_backend_pid() AND backend_type = 'client backend'")

        def said() -> list[str]:  # APScheduler's line where the jobs' read failed, ours where a write did
            return [r.getMessage() for r in caplog.records
                    if r.name.startswith("apscheduler") or r.getMessage().startswith("scheduler: its job table")]

        assert wait_until(lambda: bool(said()), timeout=15)
        assert all("\n" not in line for line in said()), said()
        assert "terminating connection" in said()[0] or "closed the connection" in said()[0], said()
    finally:
        sched.shutdown(wait=False)

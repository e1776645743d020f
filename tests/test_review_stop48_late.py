"""Late review of stop 48's scale-out failure handling (a PostgreSQL of the test's own).

Real parts: a PostgreSQL server of the test's own (``tests.test_review_stop48_scaleout``'s
PrivatePostgres); skipped without its binaries or psycopg, as the scale-out tests are.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.test_review_stop48_scaleout import PrivatePostgres, server  # noqa: F401

pytestmark = pytest.mark.scale


def _terminate(url: str, pid: int) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        con.execute("SELECT pg_terminate_backend(%s)", (pid,))


@pytest.fixture
def store(server: PrivatePostgres) -> Iterator[object]:  # noqa: F811
    from digest.store.base import open_store

    st = open_store(server.url)
    try:
        yield st
    finally:
        st.close()


def test_a_reconnect_cut_again_as_it_takes_its_locks_keeps_them_to_take_next_time(
        server: PrivatePostgres, store: object) -> None:  # noqa: F811
    """The server ended the new connection too, as the daemon took its lock again on it (a
    server restarting twice, an idle-session limit): the error was psycopg's own, out of the
    daemon's guard as a traceback, and the lock was forgotten: the next reconnect took none,
    and a second daemon started beside the first."""
    from digest.errors import StoreError
    from digest.store.base import open_store

    st: object = store
    assert st.acquire_lock("daemon")  # type: ignore[attr-defined]
    _terminate(server.url, st.db.info.backend_pid)  # type: ignore[attr-defined]
    import psycopg

    with pytest.raises(psycopg.OperationalError):
        st.db.execute("SELECT 1")  # type: ignore[attr-defined]
    assert st.lost() is not None  # type: ignore[attr-defined]

    original = type(st).acquire_lock
    cut = []

    def acquire_once_cut(self: object, name: str) -> bool:
        if not cut:
            cut.append(name)
            _terminate(server.url, self.db.info.backend_pid)  # type: ignore[attr-defined]
        return original(self, name)  # type: ignore[arg-type]

    type(st).acquire_lock = acquire_once_cut  # type: ignore[method-assign]
    try:
        with pytest.raises(StoreError):  # the daemon's guard says it in one line, tries again next round
            st.reconnect()  # type: ignore[attr-defined]
    finally:
        type(st).acquire_lock = original  # type: ignore[method-assign]
    assert st.lost() is not None  # type: ignore[attr-defined]
    st.reconnect()  # type: ignore[attr-defined]
    assert st.lost() is None  # type: ignore[attr-defined]
    other = open_store(server.url)
    try:
        assert not other.acquire_lock("daemon")  # type: ignore[attr-defined]
    finally:
        other.close()


def test_a_send_recorded_on_a_new_connection_whose_lock_another_daemon_took_stops_the_daemon(
        server: PrivatePostgres, store: object, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """The mail server took the digest as PostgreSQL ended the daemon's connection, and another
    daemon took the lock meanwhile: the send was left pending (the other daemon mailed it
    again) and this daemon, its failure to take its lock again kept at debug level, went on
    polling and mailing beside the other, holding no lock."""
    from types import SimpleNamespace

    import psycopg

    from digest.errors import StoreError
    from digest.output.mailer import _mark_sent
    from digest.service.daemon import Daemon
    from digest.store import params
    from digest.store.base import open_store

    monkeypatch.setattr(params, "REGAIN_SECONDS", 0.5)  # the other is of this process: its pid
    st: object = store
    assert st.acquire_lock("daemon")  # type: ignore[attr-defined]
    _terminate(server.url, st.db.info.backend_pid)  # type: ignore[attr-defined]
    with pytest.raises(psycopg.OperationalError):
        st.db.execute("SELECT 1")  # type: ignore[attr-defined]
    other = open_store(server.url)
    try:
        assert other.acquire_lock("daemon")
        _mark_sent(st, "2026-12-05", "email:a@example.org", "<late@example.org>")  # type: ignore[arg-type]
        got = other.get_delivery("2026-12-05", "email:a@example.org")
        assert got is not None and got.status == "sent"
        daemon = SimpleNamespace(app=SimpleNamespace(store=st), _store_down=False, catch_up=lambda: None)
        with pytest.raises(StoreError, match="another digest daemon is already running"):
            Daemon._guarded(daemon, lambda: None)  # type: ignore[arg-type]
    finally:
        other.close()


@pytest.mark.slow  # a server frozen for a few seconds
def test_a_server_frozen_as_the_store_opens_is_cut_not_waited_on_for_good(
        server: PrivatePostgres, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """The store was watched only once it had opened: a server that froze after the connection
    was made (its time zone, schema and migrations still to come; the daemon's reconnect too)
    held ``digest run`` or the daemon for good, without a line."""
    import signal
    import threading

    from digest.store.base import open_store
    from digest.store.postgres import PostgresStore
    from tests.support.httpd import wait_until
    from tests.test_review_stop48_scaleout import _answers, _signal_server

    monkeypatch.setattr("digest.store.params.STALL_SECONDS", 1.0)
    monkeypatch.setattr("digest.store.params.PROBE_TIMEOUT", 2)
    connect = PostgresStore._connect

    def connect_then_freeze(self: PostgresStore) -> object:
        db = connect(self)
        _signal_server(server, signal.SIGSTOP)
        return db

    monkeypatch.setattr(PostgresStore, "_connect", connect_then_freeze)
    got: list[object] = []

    def opening() -> None:
        try:
            got.append(open_store(server.url))
        except BaseException as exc:
            got.append(exc)

    thread = threading.Thread(target=opening, daemon=True)
    thread.start()
    try:
        thread.join(20)
        cut = not thread.is_alive()
    finally:
        _signal_server(server, signal.SIGCONT)
        thread.join(30)
        wait_until(lambda: _answers(server), timeout=30)
        for st in got:
            if isinstance(st, PostgresStore):
                st.close()
    assert cut, "the store's first statement still waits on the frozen server"
    from digest.errors import StoreError

    assert isinstance(got[0], StoreError) and "cannot connect" in str(got[0])  # one line, no traceback

"""The daemon's real parts for tests: feeds served on loopback, a loopback SMTP server
(aiosmtpd), a clock to move by hand, and the configuration that points at them."""

from __future__ import annotations

import email
import os
import random
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from email.policy import default as default_policy
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from aiosmtpd.controller import Controller

from tests.support.config import make_config
from tests.support.httpd import TestServer

#: The checkout: ``python -m digest`` run from it imports this tree's package.
ROOT = Path(__file__).resolve().parents[2]

WORDS = (
    "harbor council bridge river budget school rail storm museum vote market "
    "festival library tunnel ferry clinic election port farm orchard mill"
).split()


class Inbox:
    """aiosmtpd handler keeping every accepted message, parsed and as the bytes received."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.raw: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.messages.append(msg)
            self.raw.append(bytes(envelope.content))
        return "250 OK"


class Refusing(Inbox):
    """Refuses every message (554 at DATA)."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "554 5.7.1 rejected by policy"


@contextmanager
def refusing_smtpd() -> Iterator[int]:
    """A loopback SMTP server refusing every message: its port."""
    with smtpd(Refusing()) as (_, port):
        yield port


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on (yet)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtpd(inbox: Inbox | None = None) -> Iterator[tuple[Inbox, int]]:
    """A loopback SMTP server: its inbox (``inbox``: one of its own kind) and port."""
    inbox = inbox or Inbox()
    ctl = Controller(inbox, hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    ctl.start()
    try:
        yield inbox, ctl.port
    finally:
        ctl.stop()


def rss(name: str, items: range, now: datetime | None = None) -> bytes:
    """An RSS feed of outlet ``name`` with the items ``items`` (one a minute before ``now``, the
    real time by default: a test whose clock is days before it passes its own, or its items'
    dates are not believed and its first read is an undated feed's backlog)."""
    rng = random.Random(name)
    now = now or datetime.now(UTC)
    parts = []
    for i in items:
        words = " ".join(rng.choice(WORDS) for _ in range(40))
        parts.append(
            f"<item><title>{escape(name)} report {i}: {rng.choice(WORDS)} {rng.choice(WORDS)}</title>"
            f"<link>https://{name}.example/{i}</link><guid>{name}-{i}</guid>"
            f"<pubDate>{format_datetime(now - timedelta(minutes=i))}</pubDate>"
            f"<description>Item {i} of {escape(name)}. {words}.</description></item>"
        )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
        f"<link>https://{name}.example/</link>{''.join(parts)}</channel></rss>"
    ).encode()


class Clock:
    """Now, as the test sets it (``clock.now += ...``)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def loopback_config(tmp: Path, srv: TestServer, paths: dict[str, str], **settings: Any) -> Path:
    """``tmp/feeds.yaml`` for the daemon tests: sources ``name -> path`` on ``srv`` (loopback
    allowed), UTC, digest at midnight, polls every 0.6 s; ``settings`` replace top-level keys."""
    defaults: dict[str, Any] = {
        "timezone": "UTC",
        "fetch": {"allow_hosts": ["127.0.0.1"], "deadline": 10},
        "schedule": {"digest_time": "00:00", "poll_minutes": 0.01},
    }
    sources = {name: srv.url(path) for name, path in paths.items()}
    path = make_config(tmp, sources, write=True, **{**defaults, **settings}).config_path
    assert path is not None
    return path


def config_with_mail(tmp: Path, srv: TestServer, port: int, now: datetime | None = None) -> Path:
    """One feed of three items (``/a``, dated before ``now``: :func:`rss`) and mail to the SMTP
    server on ``port``."""
    srv.set("/a", rss("alpha", range(3), now))
    return loopback_config(
        tmp, srv, {"alpha": "/a"},
        email={"host": "127.0.0.1", "port": port, "security": "none",
               "from": "digest@example.org", "to": ["me@example.org"]},
    )


def read_yesterday(tmp: Path, srv: TestServer, port: int) -> tuple[Path, date]:
    """``config_with_mail``, its feed read as of this time yesterday (a day that has ended:
    ``digest send --date`` takes it).  The configuration's path and that day (UTC)."""
    from digest.app import open_app

    cfg_path = config_with_mail(tmp, srv, port)
    then = datetime.now(UTC) - timedelta(days=1)
    with open_app(cfg_path) as app:
        app.run(now=then)
    return cfg_path, then.date()


def spawn_digest(*args: str, log: Path) -> subprocess.Popen[bytes]:
    """``python -m digest ARGS`` as a process of its own (a daemon, a run to kill), its output
    appended to ``log``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "ab") as fh:
        return subprocess.Popen([sys.executable, "-m", "digest", *args], cwd=ROOT, env=env, stdout=fh, stderr=fh)


@contextmanager
def running_daemon(cfg: Path, log: Path, ready: Callable[[], bool], *args: str,
                   timeout: float = 60) -> Iterator[subprocess.Popen[bytes]]:
    """``digest daemon --config cfg ARGS`` as a process of its own (:func:`spawn_digest`), once
    ``ready()`` holds (looked at every 0.1 s for ``timeout`` seconds; its log in the failure);
    killed at the end (SIGKILL, then SIGCONT: a test may have stopped it) and waited for."""
    import time

    proc = spawn_digest("daemon", "--config", str(cfg), *args, log=log)
    try:
        end = time.monotonic() + timeout
        while not ready():
            assert time.monotonic() < end and proc.poll() is None, log.read_text()
            time.sleep(0.1)
        yield proc
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.send_signal(signal.SIGCONT)
        proc.wait(timeout=10)

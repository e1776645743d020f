"""A digest is mailed once even when ``digest send`` is killed after the server accepted it.

Observations
------------
* An SMTP server accepts a message (250 after DATA) before the sender can
  record that it did.  A sender killed between the two sends the digest
  again on its next run.  The window is widest when the server is slow to
  answer QUIT, which comes after DATA: a sender that records the delivery
  only after QUIT has the whole QUIT wait as its window.

How it works
------------
``python -m benchmarks.mail_once [--trials 20] [--quit-delay 8] [--kill-after 2]``
writes a store with one day of stories (``digest run`` over a local feed
file), then for each trial: copies that store into a fresh folder, starts an
SMTP server on 127.0.0.1 (aiosmtpd) whose QUIT handler sleeps
``--quit-delay`` seconds, runs ``python -m digest send`` as a real process,
kills it with SIGKILL ``--kill-after`` seconds after the server accepted
DATA, and runs ``digest send`` again to the end.  It prints how many trials
gave exactly one message per address and day (the target is all of them)
and exits 1 otherwise.  :func:`trial` is what ``tests/test_mail_once.py``
runs.

Special cases: a trial whose first ``digest send`` never reaches DATA (60 s)
counts as failed, with the process's output printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import yaml
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]
RECIPIENTS = ["reader@example.org", "second@example.org"]


class SlowQuit:
    """aiosmtpd handler: accepts every message, answers QUIT only after ``quit_delay`` s."""

    def __init__(self, quit_delay: float) -> None:
        self.quit_delay = quit_delay
        #: (recipient, Subject line) of every accepted message, one per recipient.
        self.accepted: list[tuple[str, str]] = []
        self.data_accepted = threading.Event()
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.content if isinstance(envelope.content, bytes) else b""
        subject = next(
            (line[8:].decode(errors="replace").strip() for line in raw.splitlines()
             if line.lower().startswith(b"subject:")),
            "",
        )
        with self._lock:
            self.accepted.extend((r, subject) for r in envelope.rcpt_tos)
        self.data_accepted.set()
        return "250 OK"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.quit_delay)
        return "221 Bye"

    def per_address(self) -> Counter[tuple[str, str]]:
        with self._lock:
            return Counter(self.accepted)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss(n: int) -> str:
    now = datetime.now(UTC)
    words = "harbor council bridge river budget school rail storm museum vote market".split()
    items = "".join(
        f"<item><title>Report {i}: {words[i % len(words)]} {words[(3 * i) % len(words)]}</title>"
        f"<link>https://local.example/{i}</link><guid>local-{i}</guid>"
        f"<pubDate>{format_datetime(now - timedelta(minutes=i))}</pubDate>"
        f"<description>Item {i}. {' '.join(words[(i + j) % len(words)] for j in range(40))}."
        "</description></item>"
        for i in range(n)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>local</title>'
        f"<link>https://local.example/</link>{items}</channel></rss>"
    )


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{path}" if path else str(ROOT)}


def write_config(folder: Path, port: int, *, clock: datetime | None = None) -> Path:
    """A configuration in ``folder``: a local feed file, SQLite under data/, mail to ``port``
    (``clock``: read as if it were then)."""
    feed = folder / "feed.xml"
    if not feed.exists():
        feed.write_text(_rss(5), encoding="utf-8")
    data = {
        "sources": [{"name": "local", "path": str(feed)}],
        "data_dir": str(folder / "data"),
        "output_dir": str(folder / "out"),
        "timezone": "UTC",
        "email": {
            "host": "127.0.0.1", "port": port, "security": "none",
            "from": "digest@example.org", "to": RECIPIENTS,
        },
    }
    if clock is not None:
        data["clock"] = clock.isoformat()
    cfg = folder / "feeds.yaml"
    cfg.write_text(yaml.safe_dump(data), encoding="utf-8")
    return cfg


def make_store(folder: Path) -> tuple[Path, str]:
    """Run ``digest run`` once in ``folder``, a day ago (``digest send`` mails only a day that
    has ended); (the store file, the day that has stories)."""
    folder.mkdir(parents=True, exist_ok=True)
    then = datetime.now(UTC) - timedelta(days=1)
    cfg = write_config(folder, free_port(), clock=then)
    subprocess.run(
        [sys.executable, "-m", "digest", "run", "--config", str(cfg), "--quiet"],
        cwd=ROOT, env=_env(), check=True, capture_output=True, timeout=300,
    )
    return folder / "data" / "digest.sqlite3", then.date().isoformat()


def _copy_store(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()


@dataclass
class Trial:
    """What one trial saw."""

    per_address: Counter[tuple[str, str]] = field(default_factory=Counter)
    killed: bool = False
    problem: str = ""

    @property
    def once(self) -> bool:
        """Exactly one message per address and day, every address."""
        addresses = {r for r, _ in self.per_address}
        return (
            not self.problem
            and addresses == set(RECIPIENTS)
            and all(n == 1 for n in self.per_address.values())
        )


def trial(
    folder: Path, store: Path, day: str, *, quit_delay: float = 8.0, kill_after: float = 2.0
) -> Trial:
    """One kill -9 after DATA, then a second ``digest send``; what the server got."""
    folder.mkdir(parents=True, exist_ok=True)
    handler = SlowQuit(quit_delay)
    ctl = Controller(handler, hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    ctl.start()
    out = Trial()
    try:
        cfg = write_config(folder, ctl.port)
        _copy_store(store, folder / "data" / "digest.sqlite3")
        cmd = [sys.executable, "-m", "digest", "send", "--config", str(cfg), "--date", day]
        log = folder / "send.log"
        with open(log, "wb") as fh:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=fh, stderr=fh)
        try:
            if not handler.data_accepted.wait(60):
                out.problem = "the first send never reached DATA: " + log.read_text()[-500:]
                return out
            time.sleep(kill_after)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                out.killed = True
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)
        second = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)
        if second.returncode != 0:
            out.problem = f"the second send failed ({second.returncode}): {second.stderr[-500:]}"
        out.per_address = handler.per_address()
        return out
    finally:
        ctl.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--quit-delay", type=float, default=8.0)
    ap.add_argument("--kill-after", type=float, default=2.0)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mail_once_") as tmp:
        base = Path(tmp)
        store, day = make_store(base / "seed")
        good = 0
        for i in range(args.trials):
            t0 = time.monotonic()
            t = trial(base / f"t{i}", store, day, quit_delay=args.quit_delay, kill_after=args.kill_after)
            good += t.once
            counts = ", ".join(f"{r} {n}" for (r, _), n in sorted(t.per_address.items())) or "none"
            print(
                f"trial {i + 1:>2}: {'ok  ' if t.once else 'FAIL'} killed={t.killed} "
                f"messages per address: {counts} ({time.monotonic() - t0:.1f} s)"
                + (f" {t.problem}" if t.problem else ""),
                flush=True,
            )
        print(f"{good}/{args.trials} trials gave exactly one message per address and day")
    return 0 if good == args.trials else 1


if __name__ == "__main__":
    sys.exit(main())

"""The replay, mail, fresh-store and daemon parts of ``benchmarks.crash_campaign`` (see
there), apart to keep each module under 500 lines."""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from .crash_world import (
    CORPUS,
    FEEDS,
    SHARED,
    Campaign,
    capture,
    check_days,
    check_mail,
    check_store,
    config,
    keep_all,
    pg_rows,
    publish,
    stored_rows,
)
from .kill_fuzz_checks import db_checks, new_per_day
from .kill_fuzz_world import Mail, World, services


class KillOnAccept(Mail):
    """An SMTP handler that, as it accepts a message, may have its sender killed 0-30 ms later:
    before or after the sender read the 250 and recorded it (the documented window).  ``at``
    "mail": the 0-30 ms count from the sender's MAIL FROM instead, so a kill lands before the
    end of the message (the server discards it), around it, or after the 250."""

    def __init__(self, rng: random.Random, p: float, at: str = "accept") -> None:
        super().__init__()
        self.rng, self.p, self.at = rng, p, at
        self.victim: subprocess.Popen[bytes] | None = None
        self.fired = 0

    def _maybe_kill(self) -> None:
        victim = self.victim
        if victim is not None and victim.poll() is None and self.rng.random() < self.p:
            self.fired += 1
            threading.Timer(self.rng.uniform(0.0, 0.03), lambda: victim.poll() is None
                            and victim.send_signal(signal.SIGKILL)).start()

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.at == "mail":
            self._maybe_kill()
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if self.at == "accept":
            self._maybe_kill()
        return answer


def part_mail(c: Campaign, trials: int, at: str = "accept", store: str = "sqlite", keep: bool = False) -> None:
    """``digest send`` of each replayed day to three readers, killed as the server accepts
    (``at`` "mail": 0-30 ms after a MAIL FROM, :class:`KillOnAccept`).  ``store`` "postgresql":
    each trial's store a fresh schema (``benchmarks.crash_pg``) the replay's archive is replayed
    into, checked after each kill for advisory locks a dead client left."""
    from aiosmtpd.controller import Controller

    from .kill_fuzz_world import _free_port

    readers = ("a@example.org", "b@example.org", "c@example.org")
    left: Counter[str] = Counter()  # "pending 1": kills that left one reader's row pending
    src = c.base / "replay"
    mail = KillOnAccept(c.rng, 0.6, at)
    port = _free_port()
    ctl = Controller(mail, hostname="127.0.0.1", port=port, ready_timeout=10)
    ctl.start()
    made: list[str] = []  # PostgreSQL schemas to drop
    try:
        days = sorted(p.stem.removeprefix("digest-") for p in (src / "out").glob("*.json"))
        for t in range(trials):
            mail.got.clear()
            folder = c.base / f"mail{t}"
            data = yaml.safe_load((src / "feeds.yaml").read_text())
            data.update(data_dir=str(folder / "data"), output_dir=str(folder / "out"))
            cfg = folder / "feeds.yaml"
            if store == "postgresql":
                from .crash_pg import new_schema

                data["database"] = url = new_schema(keep, made)
                folder.mkdir()
                cfg.write_text(yaml.safe_dump(data), encoding="utf-8")
                c.complete(cfg, ["replay", str(src / "archive.jsonl")], ok=(0,))
            else:
                shutil.copytree(src / "data", folder / "data")
            data.update(clock=f"{date.fromisoformat(days[-1]) + timedelta(days=2)}T12:00:00+00:00")
            data["email"].update(port=port, to=list(readers))
            cfg.write_text(yaml.safe_dump(data), encoding="utf-8")
            for d in days:
                proc, out = c.start(cfg, ["send", "--date", d])
                mail.victim = proc
                c.tries["send"] += 1
                proc.wait(120)
                mail.victim = None
                if proc.returncode == -signal.SIGKILL:
                    c.kills["send"] += 1
                    c.kills_on_accept += 1
                    label = f"mail {t} {d} after a kill"
                    unsent = (f"SELECT status, count(*) FROM deliveries WHERE date='{d}' AND attempts > 0 "
                              "AND target NOT LIKE '%,%' AND status != 'sent' GROUP BY status")  # the readers' rows
                    if store == "postgresql":
                        from .crash_pg import pg_checks

                        pg_checks(c, url, label)
                        rows = pg_rows(url, unsent)
                    else:
                        db_checks(folder, None, c.problems, label)
                        with sqlite3.connect(folder / "data" / "digest.sqlite3") as db:
                            rows = db.execute(unsent).fetchall()
                    left.update(f"{status} {n}" for status, n in rows)
                else:
                    c.output(out, f"send {d} (not killed)")
                c.complete(cfg, ["send", "--date", d], ok=(0,))
            check_mail(c, mail, set(days), f"mail {t}", readers)
    finally:
        ctl.stop()
        if made:
            from .crash_pg import drop

            drop(made)
    c.notes.append(f"mail ({store}): readers' rows left not sent by the kills (pending: before the end of the "
                   f"message or its record; whole: after the in-doubt mark), rows per kill: {sorted(left.items())}")


def part_replay(c: Campaign, rounds: int, kills: int, seed: int) -> None:
    from .kill_fuzz import archive

    folder = c.base / "replay"
    folder.mkdir()
    arch = folder / "archive.jsonl"
    archive(seed, rounds, arch)
    cfg = config(folder, 9, 9, None, "Europe/London")
    data = yaml.safe_load(cfg.read_text())
    data["sources"] = [{"name": f.title(), "path": str(folder / f"{f}.rss")} for f in FEEDS]
    for f in FEEDS:
        (folder / f"{f}.rss").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>{f}'
                                         "</title></channel></rss>", encoding="utf-8")
    cfg.write_text(yaml.safe_dump(data))
    days = sorted({datetime.fromisoformat(json.loads(ln)["arrived"]).astimezone(ZoneInfo("Europe/London")).date()
                   for ln in arch.read_text().splitlines()})
    for _ in range(kills):
        cmds = [["replay", str(arch)]]
        if c.rng.random() < 0.5:
            cmds.append(["build", "--date", c.rng.choice(days).isoformat()])
        c.killed(cfg, cmds, 0.5, 6.0)
        db_checks(folder, None, c.problems, "replay after a kill")
    c.complete(cfg, ["replay", str(arch)], ok=(0,))
    served = set()
    for ln in arch.read_text().splitlines():
        rec = json.loads(ln)
        served.add((rec["source"].lower(), rec["id"]))
    check_store(c, folder / "data" / "digest.sqlite3", served, None, "replay")
    js = {p.stem.removeprefix("digest-"): json.loads(p.read_text()) for p in sorted((folder / "out").glob("*.json"))}
    per = new_per_day(js, c.problems, "replay days")
    c.notes.append(f"replay: {len(js)} days written, {sum(map(len, per.values()))} versions new")


def part_fresh(c: Campaign, kills: int) -> None:
    """The first ``digest run`` on a new store killed 0-250 ms after its database file appears
    (the schema being written), then run to the end."""
    feeds = SHARED / "corpus" / "feeds"
    for k in range(kills):
        folder = c.base / f"fresh{k}"
        cfg = config(folder, 9, 9, None)
        data = yaml.safe_load(cfg.read_text())
        data["sources"] = [{"name": "Corpus" + Path(p).stem.title(), "path": str(feeds / p)}
                           for docs in CORPUS.values() for p in docs[:1]]
        cfg.write_text(yaml.safe_dump(data))
        proc, _ = c.start(cfg, ["run", "--quiet"])
        db, t0 = folder / "data" / "digest.sqlite3", time.monotonic()
        while not db.exists() and proc.poll() is None and time.monotonic() - t0 < 60:
            time.sleep(0.002)
        time.sleep(c.rng.uniform(0.0, 0.25))
        c.tries["run"] += 1
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            c.kills["run"] += 1
        proc.wait()
        db_checks(folder, None, c.problems, f"fresh store {k} after a kill")
        c.complete(cfg, ["run", "--quiet"], ok=(0,))
        check_store(c, db, set(), None, f"fresh store {k}")


def part_daemon(c: Campaign, kills: int, seed: int) -> None:
    folder = c.base / "daemon"
    world = World(seed + 1)
    stop = threading.Event()
    with services() as (site, port, mail, smtp):
        mailed = capture(mail)
        cfg = config(folder, port, smtp, None, "UTC",
                     schedule={"digest_time": "00:00", "poll_minutes": 0.01})
        lock = threading.Lock()

        def grow() -> None:  # the feeds change every 1.5 s; nothing is taken off a feed
            turn = 0
            while not stop.wait(1.5):
                with lock:
                    keep_all(world, datetime.now(UTC))
                    turn += 1
                    publish(world, site, port, turn)

        publish(world, site, port, 0)
        t = threading.Thread(target=grow, daemon=True)
        t.start()
        for _ in range(kills):
            cmds = [["daemon", "--digest-day", "today"]]
            extra = c.rng.random()
            if extra < 0.35:
                cmds.append(["run", "--quiet"])
            elif extra < 0.5:
                cmds.append(["send"])
            c.killed(cfg, cmds, 0.5, 6.0)
            db_checks(folder, None, c.problems, "daemon after a kill")
        stop.set()
        t.join()
        with lock:
            served = set(world.served)
        proc, out = c.start(cfg, ["daemon", "--digest-day", "today"])
        db = folder / "data" / "digest.sqlite3"
        want = {(f.title(), g) for f, g in served}
        t0 = time.monotonic()
        while time.monotonic() - t0 < 180:
            time.sleep(2)
            have = {(s, g) for s, g, *_ in stored_rows(db)}
            if want <= have and mail.got:
                time.sleep(3)
                break
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            c.problems.append("daemon: no exit 30 s after SIGTERM")
            proc.kill()
            proc.wait()
        text = c.output(out, "daemon (settling)")
        if proc.returncode != 0:
            c.problems.append(f"daemon (settling): exit {proc.returncode}: {text.strip().splitlines()[-1:]}")
        check_store(c, db, served, None, "daemon")
        today = datetime.now(UTC).date()
        check_mail(c, mail, {today.isoformat()}, "daemon mail")
        # tomorrow (what arrived after today's digest was mailed) is built with a clock a day on
        later = config(folder, port, smtp, datetime.now(UTC) + timedelta(days=1), "UTC")
        check_days(c, later, db, [today - timedelta(days=1), today, today + timedelta(days=1)], "daemon days",
                   mailed)



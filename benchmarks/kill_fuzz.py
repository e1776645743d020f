"""Randomized kill -9 of ``digest run`` / ``send`` / ``prune`` against feeds served on loopback.

    python -m benchmarks.kill_fuzz [--seeds 0,1,2] [--rounds 12] [--kills 2] [--no-kill]

Each seed: a loopback HTTP server serves four feeds (one ``full_text: true``, its pages on the
same server) whose content changes each round (new entries, a story copied across outlets, an
entry revised in place, one replaced by a takedown notice, one removed); ``clock:`` moves 7 h a
round (so days change), the ``timezone:`` changes once midway.  Each round runs ``digest run``
killed with SIGKILL at random moments (``--kills`` times), then to completion; every second
round ``digest send --date`` (the day before) is killed once and run again, against an aiosmtpd
server; prune is run killed at the end.  The same rounds without kills are the reference.

``--replay``: ``digest replay`` of the same rounds as a JSON Lines archive, killed at random
and run again, its JSON files against a replay never killed.  ``benchmarks.kill_points`` kills
one command after each of its commits in turn, where random delays rarely land.

Checks after each kill and at the end: ``PRAGMA integrity_check``; every guid served stored
(at least once, and the first version once); at the end each stored article is new in exactly
one day's JSON digest (``digest build --format json``), no story shown with nothing new, one
Message-ID per day, no day ended missing from the mails, and the articles new per day equal
the reference's.  Problems are printed; exit status 1 if any.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 11, 2, 5, 0, tzinfo=UTC)
STEP = timedelta(hours=11)
FEEDS = ("alpha", "beta", "gamma", "delta")
WORDS = ("harbor council bridge river budget school rail storm museum vote market ferry "
         "tunnel library hospital airport stadium festival drought flood mayor court union "
         "strike factory orchard vineyard glacier volcano reef lighthouse canal castle").split()


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


class Site:
    """What the loopback server serves: path -> (content type, body)."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.lock = threading.Lock()

    def serve(self) -> ThreadingHTTPServer:
        site = self

        class H(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with site.lock:
                    page = site.pages.get(self.path.split("?")[0])
                if page is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                tag = '"%x"' % (hash(page[1]) & 0xFFFFFFFF)  # validators: a 304 when unchanged
                if self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", tag)
                self.send_header("Content-Type", page[0])
                self.send_header("Content-Length", str(len(page[1])))
                self.end_headers()
                self.wfile.write(page[1])

            def log_message(self, *a: Any) -> None:
                pass

        srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        return srv


class Mail:
    def __init__(self) -> None:
        self.got: list[tuple[str, str, str]] = []  # (recipient, Message-ID, Subject)
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content)
        with self.lock:
            for r in envelope.rcpt_tos:
                self.got.append((r, str(msg["Message-ID"]), str(msg["Subject"])))
        return "250 OK"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3))


def _text(rng: random.Random, topic: list[str], n: int) -> str:
    sents = []
    for _ in range(n):
        ws = [rng.choice(topic) for _ in range(rng.randint(8, 14))]
        sents.append(" ".join(ws).capitalize() + ".")
    return " ".join(sents)


class World:
    """The feeds' entries, changed each round from ``seed``."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        #: feed -> guid -> dict(title, text, published)
        self.entries: dict[str, dict[str, dict[str, Any]]] = {f: {} for f in FEEDS}
        self.n = 0
        self.served: set[tuple[str, str]] = set()

    def step(self, now: datetime) -> None:
        rng = self.rng
        for _ in range(rng.randint(2, 4)):  # new stories, each told by 1-3 outlets
            self.n += 1
            topic = [*rng.sample(WORDS, 3), *(_word(rng) for _ in range(5))]
            base = _text(rng, topic, 6)
            for f in rng.sample(FEEDS, rng.randint(1, 3)):
                guid = f"{f}-{self.n}"
                sents = base.split(". ")
                rng.shuffle(sents)
                self.entries[f][guid] = {
                    "title": f"{topic[0].title()} {topic[1]} {topic[2]} {self.n}",
                    "text": ". ".join(sents) + " " + _text(rng, topic, 2),
                    "published": now - timedelta(minutes=rng.randint(0, 300)),
                }
        allg = [(f, g) for f in FEEDS for g in self.entries[f]]
        if len(allg) > 6:
            f, g = rng.choice(allg)  # revised in place: a paragraph added
            e = self.entries[f][g]
            e["text"] += " Update: " + _text(rng, e["text"].lower().split()[:8], 3)
            f, g = rng.choice(allg)  # a notice
            self.entries[f][g]["text"] = "This article has been removed."
            f, g = rng.choice(allg)  # removed from the feed
            del self.entries[f][g]
        for f in FEEDS:
            self.served |= {(f, g) for g in self.entries[f]}

    def publish(self, site: Site, port: int) -> None:
        pages: dict[str, tuple[str, bytes]] = {}
        for f in FEEDS:
            items = []
            for g, e in self.entries[f].items():
                link = f"http://127.0.0.1:{port}/{f}/{g}.html"
                desc = e["text"] if f != "delta" else e["text"][:120]
                items.append(
                    f"<item><title>{e['title']}</title><link>{link}</link><guid>{g}</guid>"
                    f"<pubDate>{format_datetime(e['published'])}</pubDate>"
                    f"<description>{desc}</description></item>")
                pages[f"/{f}/{g}.html"] = ("text/html", (
                    f"<html><head><title>{e['title']}</title></head><body><article><h1>{e['title']}</h1>"
                    f"<p>{e['text']}</p></article></body></html>").encode())
            pages[f"/{f}.xml"] = ("application/rss+xml", (
                f'<?xml version="1.0"?><rss version="2.0"><channel><title>{f}</title>'
                f"<link>http://127.0.0.1:{port}/</link>{''.join(items)}</channel></rss>").encode())
        with site.lock:
            site.pages = pages


def write_cfg(folder: Path, port: int, smtp: int, clock: datetime, tz: str) -> Path:
    data = {
        "sources": [
            {"name": f.title(), "url": f"http://127.0.0.1:{port}/{f}.xml",
             **({"full_text": True} if f == "delta" else {})}
            for f in FEEDS
        ],
        "data_dir": str(folder / "data"), "output_dir": str(folder / "out"),
        "timezone": tz, "clock": clock.isoformat(),
        "fetch": {"allow_hosts": [f"127.0.0.1:{port}"]},
        "dedup": {"window_days": 1},
        "backlog_days": 0,
        "email": {"host": "127.0.0.1", "port": smtp, "security": "none",
                  "from": "d@example.org", "to": ["r@example.org"]},
    }
    cfg = folder / "feeds.yaml"
    cfg.write_text(yaml.safe_dump(data), encoding="utf-8")
    return cfg


def digest(cfg: Path, *args: str, kill_after: float | None = None) -> tuple[int | None, str]:
    """Run ``digest ARGS``; with ``kill_after``, SIGKILL it then (None: killed)."""
    cmd = [sys.executable, "-m", "digest", *args, "--config", str(cfg)]
    if kill_after is None:
        p = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)
        return p.returncode, p.stdout + p.stderr
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        proc.wait(kill_after)
        out = proc.stdout.read().decode() if proc.stdout else ""
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # the fulltext pool's children, if any, die with their parent's pipe
        return None, ""


def db_checks(folder: Path, served: set[tuple[str, str]] | None, problems: list[str], when: str) -> None:
    if not (folder / "data" / "digest.sqlite3").exists():
        return
    con = sqlite3.connect(folder / "data" / "digest.sqlite3", timeout=30)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            problems.append(f"{when}: integrity_check: {ok}")
        try:
            con.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:  # (a store killed mid-migration has none yet)
            if "no such table" not in str(exc):
                problems.append(f"{when}: search index: {exc}")
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"{when}: foreign_key_check: {fk[:3]}")
        cols = [r[1] for r in con.execute("PRAGMA table_info(articles)")]
        if served is not None and "guid" in cols:
            rows = con.execute("SELECT guid, revision_of FROM articles").fetchall() if "revision_of" in cols \
                else [(r[0], None) for r in con.execute("SELECT guid FROM articles")]
            firsts = Counter(g for g, rev in rows if rev is None)
            dup = [g for g, n in firsts.items() if n > 1]
            if dup:
                problems.append(f"{when}: guids stored twice as a first version: {dup[:5]}")
            missing = {g for _, g in served} - {g for g, _ in rows}
            if missing:
                problems.append(f"{when}: served, never stored: {sorted(missing)[:5]}")
                return
    finally:
        con.close()


def json_days(folder: Path, cfg: Path, days: list[date]) -> dict[str, dict[str, Any]]:
    out = {}
    for d in days:
        target = folder / "json" / f"{d}.json"
        target.parent.mkdir(exist_ok=True)
        rc, _ = digest(cfg, "build", "--date", d.isoformat(), "--format", "json", "-o", str(target))
        if rc == 0:
            out[d.isoformat()] = json.loads(target.read_text())
    return out


def _when(t: str | None) -> str:
    if not t:
        return ""
    return datetime.fromisoformat(t.replace("Z", "+00:00")).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def new_per_day(js: dict[str, dict[str, Any]], problems: list[str], label: str) -> dict[str, set[str]]:
    """day -> the versions new in it, each "source|id|arrived"."""
    per: dict[str, set[str]] = {}
    seen: dict[str, str] = {}
    for day, j in js.items():
        ids = set()
        for st in j.get("stories", []):
            vs = [st["lead"], *st.get("also", [])] if st.get("lead") else list(st.get("also", []))
            new = [f"{v['source']}|{v['id']}|{_when(v.get('arrived'))}" for v in vs if v.get("new")]
            if not new:
                problems.append(f"{label} {day}: story {st.get('story_id')} ({st.get('status')}) shown with nothing new")
            for i in new:
                if i in seen and seen[i] != day:
                    problems.append(f"{label}: article {i} new in {seen[i]} and {day}")
                seen[i] = day
                ids.add(i)
        per[day] = ids
    return per


@contextmanager
def services() -> Iterator[tuple[Site, int, Mail, int]]:
    """The feeds' HTTP server and an SMTP server on loopback, for as long as the block runs:
    (the site, its port, the mail box, the SMTP port)."""
    site = Site()
    srv = site.serve()
    mail = Mail()
    smtp = _free_port()
    ctl = Controller(mail, hostname="127.0.0.1", port=smtp, ready_timeout=10)
    ctl.start()
    try:
        yield site, srv.server_address[1], mail, smtp
    finally:
        ctl.stop()
        srv.shutdown()


def differs(ref: dict[str, set[str]], got: dict[str, set[str]], name: str) -> list[str]:
    """The days whose articles new differ from the reference's, one line each."""
    return [f"{name} {d}: new differs: only reference {sorted(ref.get(d, set()) - got.get(d, set()))[:3]}, "
            f"only killed {sorted(got.get(d, set()) - ref.get(d, set()))[:3]}"
            for d in sorted(set(ref) | set(got)) if ref.get(d, set()) != got.get(d, set())]


def run_seed(seed: int, rounds: int, kills: int, base: Path, do_kill: bool, log: list[str]) -> tuple[dict[str, set[str]], list[str], int]:
    rng = random.Random(seed * 7919 + 1)
    folder = base / f"s{seed}-{'k' if do_kill else 'ref'}"
    folder.mkdir(parents=True)
    with services() as (site, port, mail, smtp):
        return _rounds(seed, rounds, kills, folder, do_kill, log, rng, site, port, mail, smtp)


def _rounds(seed: int, rounds: int, kills: int, folder: Path, do_kill: bool, log: list[str], rng: random.Random,
            site: Site, port: int, mail: Mail, smtp: int) -> tuple[dict[str, set[str]], list[str], int]:
    world = World(seed)
    problems: list[str] = []
    nkills = 0
    tz = "UTC"
    days: set[date] = set()
    for r in range(rounds):
        now = START + r * STEP
        if r == rounds // 2:
            tz = "America/New_York"
        world.step(now)
        world.publish(site, port)
        cfg = write_cfg(folder, port, smtp, now, tz)
        days.add(now.astimezone(__import__("zoneinfo").ZoneInfo(tz)).date())
        if do_kill:
            for _ in range(kills):
                t = rng.uniform(0.3, 3.5)
                rc, out = digest(cfg, "run", "--quiet", kill_after=t)
                if rc is None:
                    nkills += 1
                    db_checks(folder, None, problems, f"round {r} after kill at {t:.2f}s")
        rc, out = digest(cfg, "run", "--quiet")
        if rc not in (0, 1):
            problems.append(f"round {r}: run exit {rc}: {out[-400:]}")
        db_checks(folder, world.served, problems, f"round {r} after run")
        if r % 2 == 1:
            prev = (now.astimezone(__import__("zoneinfo").ZoneInfo(tz)) - timedelta(days=1)).date()
            if do_kill:
                rc, out = digest(cfg, "send", "--date", prev.isoformat(), kill_after=rng.uniform(0.3, 2.5))
                if rc is None:
                    nkills += 1
                    db_checks(folder, None, problems, f"round {r} after send kill")
            rc, out = digest(cfg, "send", "--date", prev.isoformat())
            if rc not in (0,):
                log.append(f"seed {seed} round {r}: send {prev} exit {rc}: {out.strip()[-300:]}")
        if r == rounds - 3:  # prune, keeping 5 days
            if do_kill:
                for _ in range(kills):
                    rc, out = digest(cfg, "prune", "--keep-days", "5", kill_after=rng.uniform(0.3, 2.0))
                    if rc is None:
                        nkills += 1
                        db_checks(folder, None, problems, f"round {r} after prune kill")
            rc, out = digest(cfg, "prune", "--keep-days", "5")
            log.append(f"seed {seed} round {r}: prune: {out.strip()[-200:]}")
    # the end: every day built as JSON
    allday = sorted(days | {min(days) - timedelta(days=1), max(days) + timedelta(days=1)})
    js = json_days(folder, cfg, allday)
    per = new_per_day(js, problems, f"seed {seed}{'' if do_kill else ' ref'}")
    con = sqlite3.connect(folder / "data" / "digest.sqlite3")
    stored = {f"{s}|{g}|{_when(f)}": t for s, g, f, t in
              con.execute("SELECT source, guid, fetched, text FROM articles")}
    con.close()
    shown = set().union(*per.values()) if per else set()
    missing = set(stored) - shown
    later = defaultdict(list)
    for k in shown:
        src, g, f = k.split("|")
        later[src, g].append(f)
    missing = {k for k in missing if not any(f > k.split("|")[2] for f in later[tuple(k.split("|")[:2])])}
    notices = {k for k in missing if stored[k].startswith("This article has been removed")}
    if missing - notices:
        problems.append(f"seed {seed}{'' if do_kill else ' ref'}: {len(missing - notices)} stored articles "
                        f"new in no day: {sorted(missing - notices)[:4]}")
    log.append(f"seed {seed}{'' if do_kill else ' ref'}: {len(stored)} stored, {len(shown)} shown new, "
               f"{len(notices)} notices not shown")
    # mail
    per_day = defaultdict(set)
    for _, mid, subj in mail.got:
        per_day[subj.split(":")[0]].add(mid)
    msgs = Counter(mid for _, mid, _ in mail.got)
    for subj, mids in per_day.items():
        if len(mids) > 1:
            problems.append(f"seed {seed}: several Message-IDs for {subj}: {mids}")
    dup = [m for m, n in msgs.items() if n > 1]
    if dup:
        log.append(f"seed {seed}: a Message-ID sent {len(dup)} times again (the known window?)")
    log.append(f"seed {seed}{'' if do_kill else ' ref'}: mails {len(mail.got)} days {sorted(per_day)}")
    return per, problems, nkills


def archive(seed: int, rounds: int, path: Path) -> None:
    """The rounds' entries as a replay archive: each entry once per content, at its round."""
    world = World(seed)
    last: dict[tuple[str, str], str] = {}
    with open(path, "w", encoding="utf-8") as fh:
        for r in range(rounds):
            now = START + r * STEP
            world.step(now)
            for f in FEEDS:
                for g, e in world.entries[f].items():
                    if last.get((f, g)) == e["text"]:
                        continue
                    last[f, g] = e["text"]
                    fh.write(json.dumps({"id": g, "source": f.title(), "title": e["title"], "text": e["text"],
                                         "published": e["published"].isoformat(),
                                         "arrived": now.isoformat()}) + "\n")


def run_replay(seed: int, rounds: int, kills: int, base: Path, do_kill: bool, log: list[str]) -> tuple[dict[str, set[str]], list[str], int]:
    rng = random.Random(seed * 104729 + 3)
    folder = base / f"r{seed}-{'k' if do_kill else 'ref'}"
    folder.mkdir(parents=True)
    arch = folder / "archive.jsonl"
    archive(seed, rounds, arch)
    cfg = write_cfg(folder, 9, 9, START, "Europe/London")
    data = yaml.safe_load(cfg.read_text())
    data["sources"] = [{"name": f.title(), "path": str(folder / f"{f}.rss")} for f in FEEDS]
    for f in FEEDS:  # the sources the archive names: empty feeds
        (folder / f"{f}.rss").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>{f}</title>'
                                         "</channel></rss>", encoding="utf-8")
    del data["clock"]
    cfg.write_text(yaml.safe_dump(data))
    problems: list[str] = []
    nkills = 0
    if do_kill:
        for _ in range(kills):
            t = rng.uniform(0.8, 4.0)
            rc, _ = digest(cfg, "replay", str(arch), kill_after=t)
            if rc is None:
                nkills += 1
                db_checks(folder, None, problems, f"replay after kill at {t:.2f}s")
    rc, out = digest(cfg, "replay", str(arch))
    if rc != 0:
        problems.append(f"replay exit {rc}: {out[-300:]}")
    db_checks(folder, None, problems, "replay at the end")
    js = {p.stem.removeprefix("digest-"): json.loads(p.read_text()) for p in sorted((folder / "out").glob("*.json"))}
    per = new_per_day(js, problems, f"replay {seed}{'' if do_kill else ' ref'}")
    log.append(f"replay {seed}{'' if do_kill else ' ref'}: {len(js)} days, {sum(map(len, per.values()))} new")
    return per, problems, nkills


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--rounds", type=int, default=12)
    ap.add_argument("--kills", type=int, default=2)
    ap.add_argument("--keep", default="")
    ap.add_argument("--replay", action="store_true", help="kill digest replay of the rounds' archive instead")
    args = ap.parse_args(argv)
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kill_fuzz_"))
    base.mkdir(parents=True, exist_ok=True)
    bad = 0
    total = 0
    for seed in map(int, args.seeds.split(",")):
        log: list[str] = []
        t0 = time.monotonic()
        runner = run_replay if args.replay else run_seed
        ref, p_ref, _ = runner(seed, args.rounds, 0, base, False, log)
        got, p, n = runner(seed, args.rounds, args.kills, base, True, log)
        total += n
        for d in sorted(set(ref) | set(got)):
            if ref.get(d, set()) != got.get(d, set()):
                a, b = ref.get(d, set()), got.get(d, set())
                p.append(f"seed {seed} {d}: new differs from reference: only ref {sorted(a - b)[:4]}, "
                         f"only killed {sorted(b - a)[:4]}")
        for line in log:
            print("  " + line)
        also = {q.replace(" ref", "") for q in p_ref}  # the reference's too: not the kills'
        for line in p_ref:
            print("note (reference, no kill) " + line)
        p = [q for q in p if q not in also]
        for line in p:
            print("PROBLEM " + line)
        bad += len(p)
        print(f"seed {seed}: {n} kills, {len(p)} problems ({time.monotonic() - t0:.0f} s)", flush=True)
    print(f"{total} kills; {bad} problems; folders in {base}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

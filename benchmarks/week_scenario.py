"""A week of a daily user's life: real feeds on loopback, real SMTP, SQLite, real commands.

Observations
------------
* The promises are a week's: every new story and development shown once, on its arrival day
  (the configured zone), in the digest, the email and ``digest serve`` alike; nothing lost; a
  kill never mails twice; bad input one line naming the source.  Each change of the week is
  tested alone elsewhere; here they all happen to one store.

How it works
------------
Six days (Europe/Berlin, 2026-11-02 to 07) of five ECB+ feeds served by
``benchmarks.loopback.FeedServer``: a story breaking and developing, a second event of its
kind, day 3 a new feed with 20 items of months back and 2 of today, day 4 a site moving (new
guids and links, the same texts) and a ``digest run`` killed (``kill -9``) and run again, day 5
a feed answering an HTML error page (back on day 6) and an item updated in place (a paragraph
added), a run just after midnight local (still the previous day in UTC).  Each day: ``digest
run`` with the ``clock:`` line, ``digest send`` the next morning, twice (day 3's first one
killed after the server took DATA), ``digest build`` of the day's JSON; ``--daemon`` drives
``Daemon`` in this process instead, its clock moved by hand.  Then ``digest serve``: each day
page and the Atom feed against the JSON digests (``--shots DIR``: Chromium screenshots).

Checks (each failing one is printed; exit 1): every (feed, text) new in exactly the digests
expected, developing stories with their new versions marked, the new feed's old items under
"Earlier news", the moved site's repeats not shown, one line naming the broken feed, one email
(one Message-ID) a day holding every story, the archive agreeing.
``python -m benchmarks.week_scenario [--daemon] [--keep DIR] [--shots DIR]``
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from aiosmtpd.controller import Controller

from digest.text.shown import headline

from .common import ECB
from .loopback import FeedServer, Item, Route, rss
from .mail_once import free_port

ROOT = Path(__file__).resolve().parents[1]
ZONE = ZoneInfo("Europe/Berlin")
DAYS = [date(2026, 11, 2) + timedelta(days=i) for i in range(6)]
FEEDS = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
GVC = ECB.parent / "gvc.jsonl"


class Grab(logging.Handler):
    """The daemon's warning lines, into ``lines``."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


class Smtp:
    """Accepts every message; QUIT waits ``quit_delay`` s."""

    def __init__(self) -> None:
        self.msgs: list[tuple[str, str, str, str]] = []  # (rcpt, subject, message-id, body)
        self.quit_delay = 0.0
        self.data = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.content.decode("utf-8", "replace")
        head = raw.split("\n\n", 1)[0]
        subj = re.search(r"^Subject: (.*)$", head, re.M | re.I)
        mid = re.search(r"^Message-ID: (.*)$", head, re.M | re.I)
        for r in envelope.rcpt_tos:
            self.msgs.append((r, subj.group(1).strip() if subj else "", mid.group(1).strip() if mid else "", raw))
        self.data.set()
        return "250 OK"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio

        await asyncio.sleep(self.quit_delay)
        return "221 Bye"


def mail_text(raw: str) -> str:
    """The plain-text part of a message, whitespace folded."""
    import email
    from email.policy import default

    # read from bytes, the modern policy's get_content: a part sent 8bit (its lines fit 78 bytes
    # since the text part is wrapped at 72) read from a str came back as Latin-1 or escapes
    msg = email.message_from_bytes(raw.encode("utf-8"), policy=default)
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            return " ".join(str(part.get_content()).split())  # type: ignore[attr-defined]
    return ""


def local(d: date, hh: int, mm: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hh, mm, tzinfo=ZONE)


def corpus() -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    ev: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in ECB.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if len(r["text"].split()) >= 120:
            ev[r["event"]].append(r)
    gvc = [json.loads(x) for x in GVC.read_text(encoding="utf-8").splitlines()]
    return ev, gvc


class World:
    """What each feed lists, and what each (feed, text) should be new on."""

    def __init__(self) -> None:
        self.items: dict[str, list[Item]] = {f: [] for f in FEEDS}
        self.expect: dict[tuple[str, str], list[date]] = defaultdict(list)
        self.cid_of: dict[str, str] = {}  # guid -> corpus id
        self.scheme: dict[str, str] = {f: f.lower() for f in [*FEEDS, "Foxtrot"]}

    def add(self, feed: str, row: dict[str, Any], day: date, when: datetime, *, published: datetime | None = None,
            backlog: bool = False) -> None:
        s = self.scheme[feed]
        guid = f"{s}-{row['id']}"
        self.cid_of[guid] = row["id"]
        self.items.setdefault(feed, []).insert(0, Item(
            title=row["title"][:110], link=f"https://{s}.example/{row['id']}", guid=guid,
            published=published or when, text=row["text"]))
        self.expect[(feed, row["id"])].append(day)


def run(cmd: list[str], cfg: Path, *extra: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    p = subprocess.run([sys.executable, "-m", "digest", *cmd, "--config", str(cfg), *extra],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    if check and p.returncode:
        raise SystemExit(f"{cmd}: exit {p.returncode}: {p.stderr[-800:]}")
    return p


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", type=Path, help="work in this folder (kept)")
    ap.add_argument("--daemon", action="store_true",
                    help="drive digest.service.daemon.Daemon in this process, its clock moved by hand")
    ap.add_argument("--kill-run-after", type=float, default=2.5,
                    help="seconds before day 4's first `digest run` is killed with kill -9")
    ap.add_argument("--shots", type=Path, help="write headless Chromium screenshots here")
    a = ap.parse_args(argv)
    folder = a.keep or Path(tempfile.mkdtemp(prefix="week-"))
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    ev, gvc = corpus()
    problems: list[str] = []
    smtp = Smtp()
    ctl = Controller(smtp, hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    ctl.start()
    w = World()
    with FeedServer() as srv:
        cfg = folder / "feeds.yaml"

        def config(clock: datetime, extra: bool) -> None:
            names = FEEDS + (["Foxtrot"] if extra else [])
            data: dict[str, Any] = {
                "sources": [{"name": n, "url": srv.url(f"/{n.lower()}.xml")} for n in names],
                "fetch": {"allow_hosts": ["127.0.0.1"]},
                "data_dir": str(folder / "data"), "output_dir": str(folder / "out"),
                "timezone": "Europe/Berlin",
                "email": {"host": "127.0.0.1", "port": ctl.port, "security": "none",
                          "from": "digest@example.org", "to": ["reader@example.org"]},
            }
            if a.daemon:
                data["schedule"] = {"digest_time": "07:00", "poll_minutes": 60}
            else:
                data["clock"] = clock.isoformat()
            text = yaml.safe_dump(data, sort_keys=False)
            if cfg.exists() and cfg.read_text(encoding="utf-8") == text:
                return
            cfg.write_text(text, encoding="utf-8")
            if a.daemon and daemon[0] is not None:
                daemon[0].reload_config(asked=True)

        daemon: list[Any] = [None]
        app_ctx: list[Any] = []
        logs: list[str] = []

        def do_run(when: datetime, extra: bool) -> tuple[int, str]:
            """A run at ``when``: (exit status, what it said on stderr)."""
            config(when, extra)
            if not a.daemon:
                p = run(["run"], cfg)
                return p.returncode, p.stderr
            if daemon[0] is None:
                from digest.app import open_app
                from digest.service.daemon import Daemon

                ctx = open_app(cfg)
                app_ctx.append(ctx)
                daemon[0] = Daemon(ctx.__enter__(), rng=random.Random(7), clock=lambda: clock_now[0])
            clock_now[0] = when.astimezone(UTC)
            del logs[:]
            rep = daemon[0].poll_due()
            return (1 if rep.errors else 0), "\n".join(logs)

        clock_now: list[datetime] = [datetime.now(UTC)]
        grab = Grab(logs)
        logging.getLogger("digest").addHandler(grab)

        def publish() -> None:
            for f, items in w.items.items():
                if f == "Charlie" and broken:
                    srv.routes["/charlie.xml"] = Route(
                        body=b"<!doctype html><html><head><title>502 Bad Gateway</title></head>"
                             b"<body><h1>Bad Gateway</h1><p>nginx</p></body></html>",
                        content_type="text/html; charset=utf-8")
                    continue
                srv.routes[f"/{f.lower()}.xml"] = Route(body=rss(f, f"https://{f.lower()}.example/", items[:25]))

        broken = False
        s1 = ev["1ecb"]          # the story breaking, developing
        s1b = ev["1ecbplus"]     # a second event of its kind (day 4)
        fill = [e for e in sorted(ev, key=lambda k: (int(re.match(r"\d+", k).group()), k))  # type: ignore[union-attr]
                if not e.startswith("1ecb") and len(ev[e]) >= 3]
        plan: dict[date, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        d1, d2, d3, d4, d5, d6 = DAYS
        plan[d1] += [("Alpha", s1[0]), ("Bravo", s1[1]), ("Charlie", s1[2])]
        plan[d2] += [("Delta", s1[3]), ("Alpha", s1[4])]
        plan[d3] += [("Echo", s1[5])]
        plan[d4] += [("Alpha", s1b[0]), ("Delta", s1b[1])]
        plan[d6] += [("Charlie", s1[6])]
        k = 0
        for i, d in enumerate(DAYS):
            for j in range(3):
                e = ev[fill[k]]
                k += 1
                for n in range(1 + (j + i) % 3):
                    plan[d].append((FEEDS[(i + j + n) % 5], e[n]))
        # day 5: Charlie breaks; what it publishes then arrives on day 6
        late = [(f, r) for f, r in plan[d5] if f == "Charlie"]
        plan[d5] = [(f, r) for f, r in plan[d5] if f != "Charlie"]
        updated: tuple[str, str] = ("", "")
        sent: dict[date, tuple[int, int]] = {}
        lines: dict[date, str] = {}
        for d in DAYS:
            when = local(d, 8)
            if d == d3:  # a new feed: 20 items of months back, 2 of today
                w.items["Foxtrot"] = []
                for n, g in enumerate(gvc[:20]):
                    w.add("Foxtrot", g, d, when, published=local(d, 9) - timedelta(days=90 + 3 * n))
                for f, r in [("Foxtrot", ev[fill[k]][0]), ("Foxtrot", ev[fill[k + 1]][0])]:
                    w.add(f, r, d, when)
                k += 2
            if d == d4:  # Bravo moves: new guids and links, the same texts
                w.scheme["Bravo"] = "bravo-new"
                w.items["Bravo"] = [Item(title=it.title, link=it.link.replace("bravo.", "bravo-new."),
                                         guid=it.guid.replace("bravo-", "bravo-new-"), published=it.published,
                                         text=it.text) for it in w.items["Bravo"]]
                for it in w.items["Bravo"]:
                    w.cid_of[it.guid] = w.cid_of[it.guid.replace("bravo-new-", "bravo-")]
            broken = d == d5
            if d == d5:  # Alpha's day-2 follow-up gets a paragraph
                items = w.items["Alpha"]
                ix = next(n for n, it in enumerate(items) if it.guid == f"alpha-{s1[4]['id']}")
                it = items[ix]
                items[ix] = Item(title=it.title, link=it.link, guid=it.guid, published=it.published,
                                 text=it.text + "\n\nLate on Thursday the police said a second man had been "
                                 "arrested in Hollywood and charged over the disappearance, and that the "
                                 "investigation into the rehab clinic had been widened to two more staff members.")
                w.expect[("Alpha", s1[4]["id"])].append(d)
                updated = ("Alpha", it.guid)
            for f, r in plan[d]:
                w.add(f, r, d, when)
            if d == d6:
                for f, r in late:
                    w.add(f, r, d, local(d5, 12))
                    w.expect[(f, r["id"])] = [d6]
            publish()
            if d == d4 and not a.daemon:  # a run killed mid-way: the next one reads what it missed, once
                config(local(d, 18, 55), True)
                proc = subprocess.Popen([sys.executable, "-m", "digest", "run", "--config", str(cfg)], cwd=ROOT,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(a.kill_run_after)
                proc.send_signal(signal.SIGKILL)
                proc.wait()
            rc, err = do_run(local(d, 19), d >= d3)
            lines[d] = err.strip()
            if d == d5:
                named = [ln for ln in err.splitlines() if "Charlie" in ln]
                if len(named) != 1 or rc != 1:
                    problems.append(f"{d}: broken feed: exit {rc}, lines naming it: {named}")
            elif rc:
                problems.append(f"{d}: digest run exit {rc}: {err[-400:]}")
            # a second run the same evening: nothing new
            do_run(local(d, 21), d >= d3)
            if d == d3:  # just after midnight local (still day 3 in UTC): Echo publishes; that is day 4's
                late_row = ev[fill[k]][0]
                k += 1
                w.add("Echo", late_row, d4, local(d4, 0, 10))
                publish()
                do_run(local(d4, 0, 30), True)
            # the morning after: send the day
            before = len(smtp.msgs)
            if a.daemon:
                clock_now[0] = local(d + timedelta(days=1), 7).astimezone(UTC)
                daemon[0].digest(scheduled=True)
                daemon[0].catch_up()  # a restart's look: nothing again
            else:
                config(local(d + timedelta(days=1), 7, 30), d >= d3)
                if d == d3:
                    smtp.quit_delay = 8.0
                    smtp.data.clear()
                    proc = subprocess.Popen([sys.executable, "-m", "digest", "send", "--config", str(cfg),
                                             "--date", d.isoformat()], cwd=ROOT, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL)
                    if not smtp.data.wait(60):
                        problems.append(f"{d}: the send never reached DATA")
                    time.sleep(1.0)
                    proc.send_signal(signal.SIGKILL)
                    proc.wait()
                    smtp.quit_delay = 0.0
                p = run(["send"], cfg, "--date", d.isoformat())
                if p.returncode:
                    problems.append(f"{d}: digest send exit {p.returncode}: {p.stderr[-300:]}")
                run(["send"], cfg, "--date", d.isoformat())  # again: nothing
            run(["build"], cfg, "--date", d.isoformat(), "-o", str(folder / "out" / f"{d}.json"), check=True)
            sent[d] = (before, len(smtp.msgs))
        # ---- the checker over out/*.json
        shown: dict[tuple[str, str], list[date]] = defaultdict(list)
        digests = {d: json.loads((folder / "out" / f"{d}.json").read_text()) for d in DAYS}
        figures = []
        for d, dg in digests.items():
            nnew = ndev = nback = nalso = 0
            for st in dg["stories"]:
                nnew += st["status"] == "new" and not st["backlog"]
                ndev += st["status"] == "developing" and not st["also_reported"]
                nback += bool(st["backlog"])
                nalso += bool(st["also_reported"])
                for v in [st["lead"], *st["also"]]:
                    if v["new"]:
                        cid = w.cid_of.get(v["id"], v["id"])
                        shown[(v["source"], cid)].append(d)
                if st["status"] == "developing" and not any(v["new"] for v in [st["lead"], *st["also"]]):
                    problems.append(f"{d}: developing story {st['title'][:40]!r} has no version marked new")
                if st["backlog"] and any(v["source"] != "Foxtrot" for v in [st["lead"], *st["also"]]):
                    problems.append(f"{d}: a backlog story holds another feed's version")
            fails = [f["name"] for f in dg["failing_sources"]]
            msgs = smtp.msgs[sent[d][0]:sent[d][1]]
            ids = {m[2] for m in msgs}
            figures.append(f"{d}: {dg['counts']['articles_read']} read, {nnew} new, {ndev} developing, {nback} "
                           f"earlier, {nalso} also-reported, {dg['counts']['duplicates_collapsed']} dup; "
                           f"failing {fails}; mails {len(msgs)} ({len(ids)} Message-IDs)")
            if len(ids) != 1:
                problems.append(f"{d}: {len(msgs)} emails, {len(ids)} Message-IDs")
            for m in msgs[-1:]:
                body = mail_text(m[3])
                for st in dg["stories"]:  # as the digest heads it: a site's part cut (``shown.headline``)
                    if headline(st["title"]) not in " ".join(body.split()):
                        problems.append(f"{d}: the email lacks {st['title'][:50]!r}")
                for name in fails:
                    if name not in body:
                        problems.append(f"{d}: the email does not name the failing {name}")
                if nback and "Earlier news" not in body:
                    problems.append(f"{d}: the email has no 'Earlier news'")
            if d == d3 and nback != len({g["event"] for g in gvc[:20]}):
                problems.append(f"{d}: {nback} stories under Earlier news, one per event of 20 items expected")
            if (d == d5) != (fails == ["Charlie"]):
                problems.append(f"{d}: failing sources {fails}")
        for key in sorted(set(w.expect) | set(shown)):
            if sorted(w.expect.get(key, [])) != sorted(shown.get(key, [])):
                problems.append(f"{key}: new on {[str(x) for x in shown.get(key, [])]}, expected "
                                f"{[str(x) for x in w.expect.get(key, [])]}")
        # the update in place: its day's story developing, the item listed once
        st5 = [st for st in digests[d5]["stories"]
               if any(v["id"] == updated[1] for v in [st["lead"], *st["also"]])]
        if len(st5) != 1 or st5[0]["status"] != "developing":
            problems.append(f"{d5}: the item updated in place is in {len(st5)} stories "
                            f"{[s['status'] for s in st5]}")
        elif sum(v["id"] == updated[1] for v in [st5[0]["lead"], *st5[0]["also"]]) != 1:
            problems.append(f"{d5}: the item updated in place is listed more than once")
        # ---- the archive
        if app_ctx:
            app_ctx[0].__exit__(None, None, None)
        port = free_port()
        config(local(d6 + timedelta(days=1), 7, 30), True)
        serve = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--config", str(cfg), "--port",
                                  str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.2)
            atom = urllib.request.urlopen(base + "/feed.atom", timeout=10).read().decode()
            for d, dg in digests.items():
                page = urllib.request.urlopen(f"{base}/day/{d}", timeout=10).read().decode()
                import html as _h
                text = _h.unescape(page)
                for st in dg["stories"]:
                    if headline(st["title"]) not in text:
                        problems.append(f"/day/{d}: story {st['title'][:50]!r} missing")
                for st in dg["stories"]:
                    if st["status"] == "new" and not st["backlog"] and _h.escape(headline(st["title"])) not in atom \
                            and headline(st["title"]) not in _h.unescape(atom):
                        problems.append(f"feed.atom: {d}'s story {st['title'][:50]!r} missing")
            if a.shots:
                a.shots.mkdir(parents=True, exist_ok=True)
                for name, path in [("index", "/"), *[(f"day-{d}", f"/day/{d}") for d in (d3, d5, d6)]]:
                    subprocess.run(["/usr/bin/chromium", "--headless", "--no-sandbox", "--window-size=390,3000",
                                    f"--screenshot={a.shots / (name + '.png')}", base + path],
                                   capture_output=True, timeout=60)
        finally:
            serve.send_signal(signal.SIGTERM)
            serve.wait(10)
    ctl.stop()
    for f in figures:
        print(f)
    print(f"(feed, text) pairs: {len(w.expect)} expected, {len(shown)} shown; emails {len(smtp.msgs)}; "
          f"folder {folder}")
    print(f"{d5}'s line naming the broken feed: {[ln for ln in lines[d5].splitlines() if 'Charlie' in ln]}")
    for problem in problems:
        print("BROKEN:", problem)
    if not a.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())

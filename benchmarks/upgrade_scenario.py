"""A daily user's store upgraded: an older digest's three days, then this one's.

Observations
------------
* Users run ``digest run`` / ``digest send`` every day, then ``pip install -U``.  Identity keys
  changed across versions (stop 33's feed keys, stop 39's folder files ``file:<path>``, with
  ``Entry.former`` for the keys of before); an upgrade must show nothing read again, lose
  nothing, mail no day twice, open the store, and not make every run slow.

How it works
------------
An older digest (``--old``: its ``digest`` executable, e.g. a ``git worktree`` of an older
commit with its own venv) runs three days (2026-11-02 to 04, ``Europe/Berlin``, the
``clock:`` line) over three feeds on a loopback ``http.server`` (RSS with guids, RSS with
links only, Atom) and a folder of ``.md`` notes (some with front matter), ECB+ texts; it
mails each day to a loopback aiosmtpd the next morning.  Then this digest (``python -m
digest``): sends again (nothing), rebuilds the three days (the same stories and versions),
runs day 5 unchanged but for a typo fixed in a note (nothing new, no article added), with one feed item and one note added
(those two only, new), mails day 5 once; day 6 a typo fixed in a note's body, a paragraph
added to a link-only item, the Atom site moved (new ids and links, same texts), the
link-only site moved from http to https and the RSS site whose guids are its pages' addresses
from ``http://`` to ``https://www.`` (guids and links): one story, developing, no link-only or
permalink-guid entry stored again; then ``digest serve`` twice (the index and the month the
same, the second server's from the day counts the first kept: stop 63).  ``--files N``: a folder of N unchanged notes read by the older digest,
then this one's runs timed.

``python -m benchmarks.upgrade_scenario --old OLD/.venv/bin/digest [--work DIR] [--files N]``
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from aiosmtpd.controller import Controller

from .common import ECB
from .mail_once import free_port

ZONE = ZoneInfo("Europe/Berlin")
DAYS = [date(2026, 11, 2) + timedelta(days=i) for i in range(6)]
MAIN = Path(sys.executable)  # this digest: python -m digest


class Smtp:
    def __init__(self) -> None:
        self.msgs: list[tuple[str, str, str]] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        raw = envelope.content.decode("utf-8", "replace")
        head = raw.split("\n\n", 1)[0]
        subj = re.search(r"^Subject: (.*)$", head, re.M | re.I)
        mid = re.search(r"^Message-ID: (.*)$", head, re.M | re.I)
        self.msgs.append((subj.group(1) if subj else "", mid.group(1) if mid else "", raw))
        return "250 OK"


def local(d: date, hh: int, mm: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hh, mm, tzinfo=ZONE)


def rows() -> dict[str, list[dict]]:
    ev: dict[str, list[dict]] = {}
    for line in ECB.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if len(r["text"].split()) >= 120:
            ev.setdefault(r["event"], []).append(r)
    return ev


def rss(items: list[dict], guid: bool) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>',
           "<title>Feed</title><link>https://example.org/</link><description>d</description>"]
    for it in items:
        out.append("<item>")
        out.append(f"<title>{escape(it['title'])}</title><link>{escape(it['link'])}</link>")
        if guid:
            permalink = "true" if it["guid"].startswith("http") else "false"  # Alpha's: its page's address
            out.append(f'<guid isPermaLink="{permalink}">{escape(it["guid"])}</guid>')
        out.append(f"<pubDate>{format_datetime(it['published'])}</pubDate>")
        out.append(f"<description>{escape(it['text'][:200])}</description>")
        out.append(f"<content:encoded>{escape('<p>' + it['text'] + '</p>')}</content:encoded>")
        out.append("</item>")
    out.append("</channel></rss>")
    return "\n".join(out)


def atom(items: list[dict]) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           "<title>Charlie</title><id>urn:charlie</id><updated>2026-11-01T00:00:00Z</updated>"]
    for it in items:
        out.append(f"<entry><title>{escape(it['title'])}</title><id>{escape(it['guid'])}</id>"
                   f'<link href="{escape(it["link"])}"/><updated>{it["published"].isoformat()}</updated>'
                   f'<content type="html">{escape("<p>" + it["text"] + "</p>")}</content></entry>')
    out.append("</feed>")
    return "\n".join(out)


class World:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.www = root / "www"
        self.notes = root / "notes"
        self.www.mkdir(parents=True, exist_ok=True)
        self.notes.mkdir(parents=True, exist_ok=True)
        self.items: dict[str, list[dict]] = {"alpha": [], "bravo": [], "charlie": []}
        ev = rows()
        self.pool = [e for e in sorted(ev) if len(ev[e]) >= 3]
        self.ev = ev
        self.n = 0

    def add_item(self, feed: str, row: dict, when: datetime) -> None:
        link = f"{'https' if feed == 'charlie' else 'http'}://{feed}.example/{row['id']}"
        self.items[feed].insert(0, {"title": row["title"][:110], "text": row["text"], "link": link,
                                    "guid": link if feed == "alpha" else f"{feed}-{row['id']}", "published": when})

    def add_note(self, row: dict, when: datetime, front: bool) -> None:
        self.n += 1
        p = self.notes / f"sub{self.n % 3}" / f"note-{self.n:03d}.md"
        p.parent.mkdir(exist_ok=True)
        if front:
            body = f"---\ntitle: \"{row['title'][:100].replace(chr(34), '')}\"\ndate: {when.isoformat()}\n---\n\n{row['text']}\n"
        else:
            body = f"# {row['title'][:100]}\n\n{row['text']}\n"
        p.write_text(body, encoding="utf-8")
        os.utime(p, (when.timestamp(), when.timestamp()))

    def write(self) -> None:
        (self.www / "alpha.xml").write_text(rss(self.items["alpha"], True), encoding="utf-8")
        (self.www / "bravo.xml").write_text(rss(self.items["bravo"], False), encoding="utf-8")
        (self.www / "charlie.atom").write_text(atom(self.items["charlie"]), encoding="utf-8")

    def day(self, i: int, d: date) -> None:
        """Day i: three events, each told by two or three of the feeds and one note."""
        for k in range(3):
            e = self.ev[self.pool[i * 3 + k]]
            when = local(d, 6 + k)
            self.add_item("alpha", e[0], when)
            self.add_item("bravo", e[1], when + timedelta(minutes=20))
            if k != 1:
                self.add_item("charlie", e[2], when + timedelta(minutes=40))
            if len(e) > 3:
                self.add_note(e[3], when + timedelta(minutes=50), front=k == 0)
        self.write()


def command(exe: Path) -> list[str]:
    return [str(exe), "-m", "digest"] if exe == MAIN else [str(exe)]


def folder_timing(old: Path, work: Path, n: int) -> None:
    """N unchanged notes: the older digest's run, then this one's three, each timed."""
    shutil.rmtree(work, ignore_errors=True)
    (work / "notes").mkdir(parents=True)
    texts = [json.loads(line) for line in ECB.read_text(encoding="utf-8").splitlines()]
    for i in range(n):
        a, b = texts[i % len(texts)], texts[(i * 7 + 3) % len(texts)]
        p = work / "notes" / f"d{i % 20:02d}" / f"n{i:05d}.md"
        p.parent.mkdir(exist_ok=True)
        p.write_text(f"# {a['title'][:90]} ({i})\n\n{a['text']}\n\n{b['text'][:600]}\n", encoding="utf-8")
        os.utime(p, (1793000000 + i, 1793000000 + i))
    cfg = work / "feeds.yaml"
    for exe, clock in [(old, "2026-11-02T20:00"), (MAIN, "2026-11-03T20:00"), (MAIN, "2026-11-04T08:00"),
                       (MAIN, "2026-11-04T20:00")]:
        cfg.write_text(yaml.safe_dump({
            "sources": [{"name": "Notes", "path": str(work / "notes")}], "data_dir": str(work / "data"),
            "output_dir": str(work / "out"), "timezone": "UTC", "clock": clock + ":00+00:00"}))
        t = time.perf_counter()
        p = subprocess.run([*command(exe), "run", "--config", str(cfg)], capture_output=True, text=True)
        dt = time.perf_counter() - t
        with sqlite3.connect(work / "data" / "digest.sqlite3") as db:
            stored = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        print(f"{'this' if exe == MAIN else 'old '} {clock}: exit {p.returncode}, {dt:.1f} s, {stored} articles")


def served_twice(cfg: Path, db: Path) -> list[str]:
    """This digest's ``digest serve`` on the upgraded store, started twice: the index and the
    month the same both times, the second from the day counts the first kept in the store
    (stop 63: ``day_counts``, migration 17)."""
    import urllib.request

    pages: list[dict[str, bytes]] = []
    for _ in range(2):
        port = free_port()
        proc = subprocess.Popen([*command(MAIN), "serve", "--config", str(cfg), "--port", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            got: dict[str, bytes] = {}
            for path in ("/healthz", "/", f"/month/{DAYS[0]:%Y-%m}"):
                for _ in range(200):
                    try:
                        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as resp:
                            got[path] = resp.read()
                        break
                    except OSError:
                        time.sleep(0.1)
            pages.append(got)
        finally:
            proc.terminate()
            proc.wait(10)
    with sqlite3.connect(db) as con:
        kept = con.execute("SELECT count(*) FROM day_counts").fetchone()[0]
    con.close()
    print(f"served twice: the same index and month {pages[0] == pages[1]}, {kept} day counts kept")
    if len(pages[0]) != 3 or pages[0] != pages[1]:
        return [f"serve after the upgrade: pages {sorted(pages[0])}, the same twice: {pages[0] == pages[1]}"]
    return [] if kept else ["serve after the upgrade kept no day count"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", type=Path, required=True, help="the older digest's executable")
    ap.add_argument("--work", type=Path, default=Path("/tmp/upgrade-scenario"))
    ap.add_argument("--files", type=int, default=0, help="time a folder of this many notes instead")
    a = ap.parse_args()
    old, work = a.old, a.work
    if a.files:
        folder_timing(old, work, a.files)
        return 0
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    w = World(work)
    w.write()
    port = free_port()
    http = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                            cwd=w.www, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    smtp = Smtp()
    ctl = Controller(smtp, hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    ctl.start()
    time.sleep(0.5)
    cfg = work / "feeds.yaml"
    problems: list[str] = []
    log = open(work / "log.txt", "w")  # noqa: SIM115  # closed in the finally below

    def config(clock: datetime) -> None:
        data = {
            "sources": [
                {"name": "Alpha", "url": f"http://127.0.0.1:{port}/alpha.xml"},
                {"name": "Bravo", "url": f"http://127.0.0.1:{port}/bravo.xml"},
                {"name": "Charlie", "url": f"http://127.0.0.1:{port}/charlie.atom"},
                {"name": "Notes", "path": str(w.notes)},
            ],
            "fetch": {"allow_hosts": ["127.0.0.1"]},
            "data_dir": str(work / "data"), "output_dir": str(work / "out"),
            "timezone": "Europe/Berlin",
            "email": {"host": "127.0.0.1", "port": ctl.port, "security": "none",
                      "from": "digest@example.org", "to": ["reader@example.org"]},
            "clock": clock.isoformat(),
        }
        cfg.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    def run(exe: Path, when: datetime, *cmd: str) -> subprocess.CompletedProcess[str]:
        config(when)
        t = time.perf_counter()
        p = subprocess.run([*command(exe), *cmd, "--config", str(cfg)], capture_output=True, text=True)
        dt = time.perf_counter() - t
        tag = "this" if exe == MAIN else "old"
        print(f"[{tag} {when:%m-%d %H:%M}] digest {' '.join(cmd)} -> {p.returncode} ({dt:.1f}s)", file=log)
        print(p.stdout[-1500:], p.stderr[-1500:], file=log, sep="\n")
        log.flush()
        if p.returncode not in (0,):
            problems.append(f"{tag} {when} {cmd}: exit {p.returncode}: {p.stderr[-400:]}")
        return p

    def count(source: str | None = None) -> int:
        """Articles stored (of ``source``: its entries' first articles, no revisions)."""
        db = sqlite3.connect(work / "data" / "digest.sqlite3")
        try:
            if source:
                return db.execute("select count(*) from articles where source = ? and revision_of is null",
                                  (source,)).fetchone()[0]
            return db.execute("select count(*) from articles").fetchone()[0]
        finally:
            db.close()

    def build(exe: Path, d: date, when: datetime) -> dict:
        p = run(exe, when, "build", "--date", d.isoformat(), "--format", "json", "-o", "-")
        try:
            return json.loads(p.stdout)
        except ValueError:
            problems.append(f"build {d}: not JSON")
            return {}

    def summary(j: dict) -> list[tuple]:
        out = []
        for s in j.get("stories", []):
            vs = [s["lead"], *(s.get("also") or [])]
            out.append((s.get("status"), bool(s.get("also_reported")), bool(s.get("backlog")),
                        s["lead"]["title"][:50] if "lead" in s else s.get("title", "")[:50],
                        sorted((v.get("source"), v.get("title")[:30], v.get("new")) for v in vs)))
        return sorted(out, key=str)

    try:
        old_built = {}
        for i, d in enumerate(DAYS[:3]):
            if i:
                run(old, local(d, 7), "send")
            w.day(i, d)
            run(old, local(d, 20), "run")
        run(old, local(DAYS[3], 7), "send")
        for d in DAYS[:3]:
            old_built[d] = build(old, d, local(DAYS[3], 7, 2))
        mails_before = len(smtp.msgs)
        n_before = count()
        shutil.copytree(work / "data", work / "data-old")
        # upgrade; a typo fixed in a note's body meanwhile (before this digest's first run)
        meanwhile = sorted(w.notes.rglob("*.md"))[1]
        body = meanwhile.read_text(encoding="utf-8")
        word = next(x for x in body.split("\n\n")[-1].split()[12:] if len(x) > 6 and x.isalpha())
        meanwhile.write_text(body.replace(word, word[:2] + word[3] + word[2] + word[4:], 1), encoding="utf-8")
        run(MAIN, local(DAYS[3], 7, 10), "send", "--date", DAYS[2].isoformat())
        run(MAIN, local(DAYS[3], 7, 15), "send")
        if len(smtp.msgs) != mails_before:
            problems.append(f"this digest mailed again after the upgrade: {[m[0] for m in smtp.msgs[mails_before:]]}")
        for d in DAYS[:3]:
            j = build(MAIN, d, local(DAYS[3], 7, 20))
            if summary(j) != summary(old_built[d]):
                problems.append(f"{d}: digest rebuilt differs:\n old {summary(old_built[d])}\n this {summary(j)}")
        t0 = time.perf_counter()
        run(MAIN, local(DAYS[3], 12), "run")
        t_unchanged = time.perf_counter() - t0
        n_mid = count()
        j4 = build(MAIN, DAYS[3], local(DAYS[3], 12, 5))
        if j4.get("stories"):
            problems.append(f"unchanged feeds: {DAYS[3]} lists {summary(j4)}")
        if n_mid != n_before:
            problems.append(f"articles {n_before} -> {n_mid} on an unchanged run")
        # one new item and one new note
        e = w.ev[w.pool[20]]
        w.add_item("alpha", e[0], local(DAYS[3], 14))
        w.add_note(w.ev[w.pool[21]][0], local(DAYS[3], 14, 30), front=False)
        w.write()
        t0 = time.perf_counter()
        run(MAIN, local(DAYS[3], 18), "run")
        t_new = time.perf_counter() - t0
        n_after = count()
        j4 = build(MAIN, DAYS[3], local(DAYS[3], 18, 5))
        s4 = summary(j4)
        if len(s4) != 2 or any(x[0] != "new" or x[1] or x[2] for x in s4):
            problems.append(f"{DAYS[3]} with one new item and one note: {s4}")
        if n_after != n_before + 2:
            problems.append(f"articles {n_before} -> {n_after} with two new")
        run(MAIN, local(DAYS[4], 7), "send")
        run(MAIN, local(DAYS[4], 7, 5), "send")
        new_mails = smtp.msgs[mails_before:]
        if len(new_mails) != 1:
            problems.append(f"{len(new_mails)} mails for {DAYS[3]}: {[m[0] for m in new_mails]}")
        # day 6: a typo fixed in a note read by the old digest, a paragraph added to a Bravo item
        # (no guid) of day 3, Charlie's site moved (new guids and links, the same texts), Bravo's
        # site to https (its links), Alpha's to https://www. (its permalink guids and links)
        note = sorted(w.notes.rglob("*.md"))[0]
        txt = note.read_text(encoding="utf-8")
        words = txt.split("\n\n")[-1].split()  # in the body, past the heading or front matter
        typo = next(x for x in words[12:] if len(x) > 6 and x.isalpha())
        note.write_text(txt.replace(typo, typo[:2] + typo[3] + typo[2] + typo[4:], 1), encoding="utf-8")
        print("typo:", note.name, typo)
        it = w.items["bravo"][3]
        it["text"] += (" Late on Sunday the regional authorities confirmed that an independent inquiry "
                       "led by retired judge Harriet Osei would report within six weeks on every failure found.")
        for c in w.items["charlie"]:
            c["guid"] = "moved-" + c["guid"]
            c["link"] = c["link"].replace("charlie.example/", "news.charlie.example/story/")
        for b in w.items["bravo"]:  # no guids: known by their links, stored by the old digest as http://
            b["link"] = b["link"].replace("http://", "https://")
        for a in w.items["alpha"]:  # guids that are URLs: stored by the old digest as spelt
            a["guid"] = a["link"] = a["link"].replace("http://", "https://www.")
        w.write()
        n5, bravo5, alpha5 = count(), count("Bravo"), count("Alpha")
        run(MAIN, local(DAYS[4], 20), "run")
        j5 = build(MAIN, DAYS[4], local(DAYS[4], 20, 5))
        s5 = summary(j5)
        wn = [s.get("whats_new") for s in j5.get("stories", [])]
        if len(s5) != 1 or s5[0][0] != "developing" or "Osei" not in str(wn):
            problems.append(f"{DAYS[4]} (typo, paragraph added, site moved): {s5} {wn}")
        if count("Bravo") != bravo5:
            problems.append(f"Bravo moved to https: its entries {bravo5} -> {count('Bravo')} (stored again)")
        if count("Alpha") != alpha5:
            problems.append(f"Alpha's guids moved to https://www.: its entries {alpha5} -> {count('Alpha')} (stored again)")
        print(f"{DAYS[4]}: articles {n5} -> {count()}:", s5, wn)
        print(f"articles: {n_before} before, {n_mid} after unchanged run, {n_after} after 2 new; "
              f"mails by old {mails_before}, by this {len(new_mails)}; this run unchanged {t_unchanged:.1f}s, "
              f"with new {t_new:.1f}s")
        print(f"{DAYS[3]}:", s4)
        problems += served_twice(cfg, work / "data" / "digest.sqlite3")
    finally:
        http.terminate()
        ctl.stop()
        log.close()
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""The kill -9 campaigns' shared world (``benchmarks.crash_campaign``, ``crash_parts``,
``crash_pg``): the corpus served, the configuration written, the :class:`Campaign` tally of
killed and completed commands, and the checks run on the store, the mail and the days."""

from __future__ import annotations

import html
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from .kill_fuzz_checks import _when, db_checks, new_per_day
from .kill_fuzz_world import FEEDS, ROOT, START, STEP, Mail, Site, World, _env

SHARED = Path(os.environ.get("DIGEST_SHARED", "/work/shared"))
#: corpus path -> the documents served there, in turn (one per round, or per few seconds)
CORPUS = {
    "/corpus/big.xml": ["feedparser/wellformed/sanitize/large_atom_feed_that_needs_css_sanitisation.xml",
                        "w3c-feedvalidator/rss/must/rss20_spec_sample_noerror.xml"],
    "/corpus/dates.xml": ["w3c-feedvalidator/rss20/data-types-datetime/everything.xml"],
    "/corpus/dups.xml": ["w3c-feedvalidator/atom/4.1.1/duplicate-entries-all.xml",
                         "w3c-feedvalidator/rss/must/atom_link.xml"],
}


def corpus_pages(turn: int) -> dict[str, tuple[str, bytes]]:
    out = {}
    for path, docs in CORPUS.items():
        doc = SHARED / "corpus" / "feeds" / docs[turn % len(docs)]
        out[path] = ("application/xml", doc.read_bytes())
    return out


def publish(world: World, site: Site, port: int, turn: int) -> None:
    world.publish(site, port)
    with site.lock:
        site.pages.update(corpus_pages(turn))


def config(folder: Path, port: int, smtp: int, clock: datetime | None, tz: str = "UTC", **extra: Any) -> Path:
    data: dict[str, Any] = {
        "sources": [{"name": f.title(), "url": f"http://127.0.0.1:{port}/{f}.xml",
                     **({"full_text": True} if f == "delta" else {})} for f in FEEDS]
        + [{"name": "Corpus" + p.split("/")[-1].split(".")[0].title(), "url": f"http://127.0.0.1:{port}{p}"}
           for p in CORPUS],
        "data_dir": str(folder / "data"), "output_dir": str(folder / "out"), "timezone": tz,
        "fetch": {"allow_hosts": [f"127.0.0.1:{port}"]}, "dedup": {"window_days": 1}, "backlog_days": 100000,
        "email": {"host": "127.0.0.1", "port": smtp, "security": "none", "from": "d@example.org",
                  "to": ["r@example.org"]},
        **extra,
    }
    if clock is not None:
        data["clock"] = clock.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    cfg = folder / "feeds.yaml"
    cfg.write_text(yaml.safe_dump(data), encoding="utf-8")
    return cfg


#: A command's kill delays (s), where the default span mostly finds it ended (prune: ~1.5 s).
SPANS = {"prune": (0.2, 1.8), "send": (0.2, 3.0)}


class Campaign:
    def __init__(self, base: Path, rng: random.Random, lock_wait: float) -> None:
        self.base, self.rng, self.lock_wait = base, rng, lock_wait
        self.kills: Counter[str] = Counter()
        self.tries: Counter[str] = Counter()
        self.again = 0  # messages received again with their Message-ID (the known window)
        self.kills_on_accept = 0
        self.orphans: list[tuple[int, str]] = []  # a killed command's children: gone by the end?
        self.exits: Counter[str] = Counter()  # a start that ended by itself with an error: its line
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.n = 0

    def start(self, cfg: Path, args: list[str]) -> tuple[subprocess.Popen[bytes], Path]:
        self.n += 1
        out = self.base / "logs" / f"{self.n:04d}-{args[0]}.txt"
        out.parent.mkdir(exist_ok=True)
        with open(out, "wb") as fh:
            proc = subprocess.Popen([sys.executable, "-m", "digest", *args, "--config", str(cfg)], cwd=ROOT,
                                    env=_env(), stdout=fh, stderr=subprocess.STDOUT)
        return proc, out

    def output(self, path: Path, what: str) -> str:
        text = path.read_text(errors="replace")
        if "Traceback" in text:
            self.problems.append(f"{what}: a traceback in its output ({path})")
        return text

    def killed(self, cfg: Path, cmds: list[list[str]], lo: float = 0.2, hi: float = 4.0) -> None:
        """Start ``cmds`` side by side, SIGKILL each still running at its own random delay."""
        started = [(a, *self.start(cfg, a), self.rng.uniform(*SPANS.get(a[0], (lo, hi)))) for a in cmds]
        t0 = time.monotonic()
        for args, proc, out, delay in sorted(started, key=lambda s: s[3]):
            self.tries[args[0]] += 1
            try:
                proc.wait(max(0.0, t0 + delay - time.monotonic()))
            except subprocess.TimeoutExpired:
                kids = descendants(proc.pid)
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                self.kills[args[0]] += 1
                self.orphans += [(k, args[0]) for k in kids]
                continue
            text = self.output(out, f"{' '.join(args)} (not killed, exit {proc.returncode})")
            last = ([ln for ln in text.strip().splitlines() if ln.strip()][-1:] or [""])[0][:200]
            if proc.returncode not in (0, 1) and ("already running" in text or "still" in last):
                self.problems.append(f"{' '.join(args)}: refused after a kill (a lock left?): {last}")
            elif proc.returncode not in (0, 1):
                self.exits[f"{args[0]}: {last}"] += 1

    def complete(self, cfg: Path, args: list[str], ok: tuple[int, ...] = (0, 1),
                 fine: tuple[str, ...] = ()) -> tuple[int, str]:
        """Run ``args`` to the end; a wait on a lock longer than ``lock_wait`` is a problem."""
        proc, out = self.start(cfg, args)
        t0 = time.monotonic()
        try:
            proc.wait(600)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            self.problems.append(f"{' '.join(args)}: still running after 600 s")
        took = time.monotonic() - t0
        text = self.output(out, " ".join(args))
        if "waiting for it" in text and took > self.lock_wait:
            self.problems.append(f"{' '.join(args)}: waited on a lock, took {took:.0f} s: "
                                 + next(ln for ln in text.splitlines() if "waiting for it" in ln)[:200])
        if proc.returncode not in ok and not any(f in text for f in fine):
            last = [ln for ln in text.strip().splitlines() if ln.strip()][-1:] or ["(no output)"]
            self.problems.append(f"{' '.join(args)}: exit {proc.returncode}: {last[0][:300]}")
        return proc.returncode, text


def descendants(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs (Linux /proc)."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for t in tasks:
        try:
            kids = [int(k) for k in Path(f"/proc/{pid}/task/{t}/children").read_text().split()]
        except OSError:
            continue
        for k in kids:
            out += [k, *descendants(k)]
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def pg_rows(url: str, sql: str) -> list[Any]:
    """``sql``'s rows, datetimes as UTC ISO text (as SQLite stores them)."""
    import psycopg

    with psycopg.connect(url) as con:
        rows = con.execute(sql).fetchall()
    return [tuple(v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v for v in r) for r in rows]


def stored_rows(db: Path | str) -> list[tuple[str, str, str | None, str, str, str]]:
    """(source, id as the JSON digest names it: guid, else key; revision_of, fetched, text, key);
    ``db`` a SQLite file or a PostgreSQL store URL (``benchmarks.crash_pg``)."""
    if isinstance(db, str):
        return pg_rows(db, "SELECT source, coalesce(guid, key), revision_of, fetched, text, key FROM articles")
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute("SELECT source, coalesce(guid, key), revision_of, fetched, text, key "
                           "FROM articles").fetchall()
    finally:
        con.close()


def check_store(c: Campaign, db: Path | str, served: set[tuple[str, str]], corpus_ref: set[tuple[str, str]] | None,
                label: str) -> None:
    if isinstance(db, Path):
        db_checks(db.parent.parent, None, c.problems, label)
    rows = stored_rows(db)
    firsts = Counter((s, k) for s, _, rev, _, _, k in rows if rev is None)
    dup = [k for k, n in firsts.items() if n > 1]
    if dup:
        c.problems.append(f"{label}: {len(dup)} entries stored twice as a first version: {dup[:4]}")
    have = {(s, g) for s, g, *_ in rows}
    lost = {(f.title(), g) for f, g in served} - have
    if lost:
        c.problems.append(f"{label}: {len(lost)} entries served and never stored: {sorted(lost)[:4]}")
    if corpus_ref is not None:
        mine = {k for k in have if k[0].startswith("Corpus")}
        if mine != corpus_ref:
            c.problems.append(f"{label}: corpus entries differ from a store never killed: only there "
                              f"{sorted(corpus_ref - mine)[:3]}, only here {sorted(mine - corpus_ref)[:3]}")
    c.notes.append(f"{label}: {len(rows)} articles stored ({len(firsts)} entries, "
                   f"{sum(1 for k in have if k[0].startswith('Corpus'))} from the corpus)")


NOTICE = "This article has been removed"  # kill_fuzz's takedown notice


def taken_back(db: Path | str) -> set[str]:
    """"source|id|arrived" of each report its source's notice, published after it, in its story
    takes back (``digest.output.entries.withdrawn``)."""
    sql = "SELECT source, coalesce(guid, key), fetched, published, story_id, text FROM articles"
    if isinstance(db, str):
        rows = pg_rows(db, sql)
    else:
        con = sqlite3.connect(db, timeout=30)
        try:
            rows = con.execute(sql).fetchall()
        finally:
            con.close()
    notices = [(s, st, p) for s, _, _, p, st, t in rows if t.startswith(NOTICE)]
    return {f"{s}|{g}|{_when(f)}" for s, g, f, p, st, t in rows if not t.startswith(NOTICE)
            and any(s == ns and st == nst and (p or "") < (np or "") for ns, nst, np in notices)}


def capture(mail: Mail) -> dict[str, set[str]]:
    """Keep the links of the first message ``mail`` receives for each day: day -> hrefs."""
    links: dict[str, set[str]] = {}
    took = mail.handle_DATA

    async def handle_DATA(server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content)
        day = next((w for w in str(msg["Subject"]).replace(":", " ").split() if len(w) == 10 and w[4] == "-"), "")
        for part in msg.walk():
            if part.get_content_type() == "text/html" and day not in links:
                links[day] = set(re.findall(r'href="([^"]+)"', part.get_payload(decode=True).decode()))
        return await took(server, session, envelope)

    mail.handle_DATA = handle_DATA  # type: ignore[method-assign]
    return links


def check_days(c: Campaign, cfg: Path, db: Path | str, days: list[date], label: str,
               mailed: dict[str, set[str]] | None = None) -> None:
    """Every stored article new in exactly one of ``days``' JSON digests; with ``mailed`` (day ->
    the links of the message mailed for it), each story with news (and a link) linked in that
    day's message too: the digest a reader got held what the day's digest, rebuilt, says was new."""
    js = {}
    for d in days:
        target = cfg.parent / "json" / f"{d}.json"
        target.parent.mkdir(exist_ok=True)
        c.complete(cfg, ["build", "--date", d.isoformat(), "--format", "json", "-o", str(target)],
                   fine=("has no digest", "was pruned"))
        if target.exists():
            js[d.isoformat()] = json.loads(target.read_text())
    per = new_per_day(js, c.problems, label)  # an article new in two days: a problem line each
    for day, hrefs in sorted((mailed or {}).items()):
        if day in js:  # by story: the message lists an outlet's other versions of a story as one
            told = [[v["url"] for v in [st["lead"], *st.get("also", [])] if v.get("url")]
                    for st in js[day]["stories"] if any(v.get("new") for v in [st["lead"], *st.get("also", [])])]
            told = [urls for urls in told if urls]
            unmailed = [urls[0] for urls in told if not any(u in hrefs or html.escape(u) in hrefs for u in urls)]
            if unmailed:
                c.problems.append(f"{label}: {day}: {len(unmailed)} of {len(told)} stories with news in the day's JSON "
                                  f"digest not in the message mailed for it: {unmailed[:3]}")
            else:
                c.notes.append(f"{label}: {day}: the {len(told)} stories with news (and a link) all in its mail")
    shown = set().union(*per.values()) if per else set()
    rows = stored_rows(db)
    stored = {f"{s}|{g}|{_when(f)}": t for s, g, _, f, t, _ in rows}
    later = defaultdict(list)
    for k in shown:
        src, g, f = k.split("|")
        later[src, g].append(f)
    # a version a later one of the same entry stands for, and takedown notices, are not shown
    missing = {k for k in set(stored) - shown if not any(f > k.split("|")[2] for f in later[tuple(k.split("|")[:2])])}
    missing = {k for k in missing if not stored[k].startswith(NOTICE)}
    taken = taken_back(db)  # a report its outlet's notice in its story takes back: the notice stands for it
    if missing & taken:
        c.notes.append(f"{label}: {len(missing & taken)} reports shown as their outlet's later notice in the story "
                       f"(output.entries.withdrawn), not as themselves")
    missing -= taken
    if missing:
        c.problems.append(f"{label}: {len(missing)} stored articles new in no day: {sorted(missing)[:4]}")
    c.notes.append(f"{label}: {len(js)} days built, {len(shown)} versions shown new once")


def check_mail(c: Campaign, mail: Mail, owed: set[str], label: str, readers: tuple[str, ...] = ("r@example.org",)) -> None:
    """At most one Message-ID a day and reader; each day in ``owed`` received by every reader."""
    per: dict[tuple[str, str], set[str]] = defaultdict(set)
    for rcpt, mid, subj in mail.got:
        day = next((w for w in subj.replace(":", " ").split() if len(w) == 10 and w[4] == "-"), subj)
        per[day, rcpt].add(mid)
    for (day, rcpt), mids in sorted(per.items()):
        if len(mids) > 1:
            c.problems.append(f"{label}: {day} mailed to {rcpt} as {len(mids)} different messages")
    for day in sorted(owed):
        for rcpt in readers:
            if (day, rcpt) not in per:
                c.problems.append(f"{label}: {day} never mailed to {rcpt}")
    again = {m: n for m, n in Counter((r, mid) for r, mid, _ in mail.got).items() if n > 1}
    c.again += sum(n - 1 for n in again.values())
    c.notes.append(f"{label}: {len(mail.got)} messages for {len({d for d, _ in per})} days; "
                   f"{sum(n - 1 for n in again.values())} received again with the same Message-ID (known window)")


def keep_all(world: World, now: datetime) -> None:
    """``world.step`` (new entries, one revised, one a notice) with nothing taken off a feed:
    an entry only a killed command saw would be lost by no fault of the product."""
    kept = {f: dict(world.entries[f]) for f in FEEDS}
    world.step(now)
    for f in FEEDS:
        for g, e in kept[f].items():
            world.entries[f].setdefault(g, e)


@dataclass(frozen=True)
class Round:
    """One round of a campaign's world: its number, clock and zone, its local day, the day before."""

    r: int
    now: datetime
    tz: str
    local: date
    prev: str


#: The never-killed reference run's mail: nowhere (port 9), so it owes no day.
REF_EMAIL = {"host": "127.0.0.1", "port": 9, "security": "none", "from": "d@example.org", "to": ["r@example.org"]}


def rounds(c: Campaign, world: World, site: Site, port: int, smtp: int, ref_folder: Path, count: int,
           days: set[date]) -> Iterator[Round]:
    """The rounds the clock and workers parts share: the world stepped and its feeds published,
    the reference store (SQLite, never killed) read, the day noted in ``days``; the zone moves
    to Pacific/Auckland halfway."""
    for r in range(count):
        now = START + r * STEP
        tz = "UTC" if r < count // 2 else "Pacific/Auckland"
        world.step(now)
        publish(world, site, port, r)
        c.complete(config(ref_folder, port, smtp, now, tz, email=REF_EMAIL), ["run", "--quiet"])
        local = now.astimezone(ZoneInfo(tz)).date()
        days.add(local)
        yield Round(r, now, tz, local, (local - timedelta(days=1)).isoformat())


def end_round(c: Campaign, cfg: Path, rd: Round, count: int, owed: set[str]) -> None:
    """After a round's kills and recovery: the day before sent every other round (owed once
    sent), the store pruned once near the end."""
    if rd.r % 2:
        rc, _ = c.complete(cfg, ["send", "--date", rd.prev], ok=(0,), fine=("has not ended yet", "has no digest"))
        if rc == 0:
            owed.add(rd.prev)
    if rd.r == count - 2:
        c.complete(cfg, ["prune", "--keep-days", "5"])


def reference_corpus(ref_folder: Path) -> set[tuple[str, str]]:
    """The corpus entries the reference store holds: what the killed store must hold too."""
    rows = stored_rows(ref_folder / "data" / "digest.sqlite3")
    return {k for k in {(s, g) for s, g, *_ in rows} if k[0].startswith("Corpus")}


def send_past_days(c: Campaign, cfg: Path, days: set[date], owed: set[str]) -> None:
    """Recovery: every past day sent (sent already or not, a day is received once either way)."""
    last = max(days)
    for d in sorted(days):
        if d < last:
            rc, _ = c.complete(cfg, ["send", "--date", d.isoformat()], ok=(0,), fine=("has not ended yet", "has no digest"))
            if rc == 0:
                owed.add(d.isoformat())


def all_days(days: set[date]) -> list[date]:
    """The days to check: those of the rounds and one on either side."""
    return sorted(days | {min(days) - timedelta(days=1), max(days) + timedelta(days=1)})

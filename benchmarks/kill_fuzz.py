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

The world (feeds, mail box, configuration, the command run or killed) is
``benchmarks.kill_fuzz_world``; the checks ``benchmarks.kill_fuzz_checks``; here the rounds.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import yaml

from .kill_fuzz_checks import _when, db_checks, json_days, new_per_day
from .kill_fuzz_world import (
    FEEDS,
    START,
    STEP,
    Mail,
    Site,
    World,
    digest,
    services,
    write_cfg,
)


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

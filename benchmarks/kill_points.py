"""Every commit point of one command, killed there: ``digest run``/``send``/``prune`` exited
(``os._exit(137)``, as SIGKILL leaves it) right after its Nth SQLite commit, for N = 1, 2, ...
until the command ends by itself, each from the same store.

    python -m benchmarks.kill_points [--seed 0] [--prefix 5] [--after 3] [--command run|send|prune]

The rounds of ``benchmarks.kill_fuzz`` (feeds on loopback changing each round, the clock 11 h
a round) run to ``--prefix`` once; each trial copies that store, runs round ``--prefix`` with
the command killed after commit N, runs it again to the end, then ``--after`` more rounds (the
time zone changed at the first), and compares each day's articles new (rendered in process,
nothing written) with the same rounds never killed.  Differences are printed; exit status 1
if any.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .kill_fuzz_checks import db_checks, differs, new_per_day
from .kill_fuzz_world import FEEDS, ROOT, START, STEP, Site, World, _env, services, write_cfg

#: ``python -c``: the CLI with the Nth outermost SQLite commit followed by an exit (137).
KILL_AFTER_COMMIT = """
import os, sys, contextlib
from digest.store import sqlite as s
n = int(sys.argv[1]); real = s.SQLiteStore.transaction; count = [0]
@contextlib.contextmanager
def transaction(self):
    outer = not self._depth
    with real(self):
        yield
    if outer:
        count[0] += 1
        if count[0] >= n:
            os._exit(137)
s.SQLiteStore.transaction = transaction
from digest.cli import main
sys.exit(main(sys.argv[2:]))
"""

RENDER = """
import json, sys
from datetime import date
from digest.app import open_app
out = {}
with open_app(sys.argv[1]) as app:
    for d in sys.argv[2:]:
        out[d] = json.loads(app.render(day=date.fromisoformat(d), fmt="json"))
print(json.dumps(out))
"""


def cli(cfg: Path, args: list[str], kill_after: int | None = None) -> subprocess.CompletedProcess[str]:
    cmd = ([sys.executable, "-m", "digest"] if kill_after is None
           else [sys.executable, "-c", KILL_AFTER_COMMIT, str(kill_after)]) + [*args, "--config", str(cfg)]
    return subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)


def rounds_cmd(command: str, now_day: date) -> list[str]:
    if command == "run":
        return ["run", "--quiet"]
    if command == "send":
        return ["send", "--date", (now_day - timedelta(days=1)).isoformat()]
    return ["prune", "--keep-days", "5"]


def play(folder: Path, world: World, site: Site, port: int, smtp: int, r: int, tz: str) -> Path:
    now = START + r * STEP
    world.step(now)
    world.publish(site, port)
    return write_cfg(folder, port, smtp, now, tz)


def days_new(cfg: Path, days: list[date], problems: list[str], label: str) -> dict[str, set[str]]:
    p = subprocess.run([sys.executable, "-c", RENDER, str(cfg), *map(str, days)], cwd=ROOT, env=_env(),
                       capture_output=True, text=True, timeout=600)
    if p.returncode:
        problems.append(f"{label}: render failed: {p.stderr[-300:]}")
        return {}
    js: dict[str, dict[str, Any]] = json.loads(p.stdout)
    return new_per_day(js, problems, label)


def replay_points(seed: int, rounds: int, step: int, most: int) -> int:
    """``digest replay`` of the rounds' archive killed after commit 1, 1 + step, ...: each day's
    JSON file's articles new against a replay never killed."""
    from .kill_fuzz import (
        archive,
        run_replay,  # noqa: F401  (the archive and configuration it makes)
    )

    base = Path(tempfile.mkdtemp(prefix="kill_points_replay_"))
    bad = 0

    def trial(name: str, kill: int | None) -> tuple[dict[str, set[str]], list[str], int | None]:
        folder = base / name
        folder.mkdir()
        arch = folder / "archive.jsonl"
        archive(seed, rounds, arch)
        cfg = write_cfg(folder, 9, 9, START, "Europe/London")
        import yaml

        data = yaml.safe_load(cfg.read_text())
        del data["clock"]
        data["sources"] = [{"name": f.title(), "path": str(folder / "empty")} for f in FEEDS]
        (folder / "empty").mkdir()
        cfg.write_text(yaml.safe_dump(data))
        problems: list[str] = []
        rc = None
        if kill is not None:
            rc = cli(cfg, ["replay", str(arch)], kill_after=kill).returncode
            db_checks(folder, None, problems, f"{name} after the kill")
        p = cli(cfg, ["replay", str(arch)])
        if p.returncode:
            problems.append(f"{name}: replay exit {p.returncode}: {p.stderr[-200:]}")
        js = {f.stem.removeprefix("digest-"): json.loads(f.read_text()) for f in sorted((folder / "out").glob("*.json"))}
        return new_per_day(js, problems, name), problems, rc

    ref, p_ref, _ = trial("ref", None)
    for line in p_ref:
        print("note (reference) " + line)
    for n in range(1, most + 1, step):
        got, p, rc = trial(f"k{n}", n)
        p += differs(ref, got, f"k{n}")
        bad += said(p, f"replay killed after commit {n}: exit {rc}, {len(p)} problems")
        if rc != 137:
            break
    print(f"{bad} problems; folders in {base}")
    return 1 if bad else 0


def said(problems: list[str], summary: str) -> int:
    """Print a trial's problems and its summary line; how many problems."""
    for line in problems:
        print("PROBLEM " + line)
    print(summary, flush=True)
    return len(problems)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--prefix", type=int, default=5)
    ap.add_argument("--after", type=int, default=3)
    ap.add_argument("--command", default="run", choices=("run", "send", "prune", "replay"))
    ap.add_argument("--step", type=int, default=1, help="replay: kill after every STEP-th commit")
    ap.add_argument("--max", type=int, default=80)
    args = ap.parse_args(argv)
    if args.command == "replay":
        return replay_points(args.seed, args.prefix + args.after, args.step, args.max)
    base = Path(tempfile.mkdtemp(prefix="kill_points_"))
    bad = 0
    with services() as (site, port, mail, smtp):
        prefix = base / "prefix"
        prefix.mkdir()
        world = World(args.seed)
        for r in range(args.prefix):
            cfg = play(prefix, world, site, port, smtp, r, "UTC")
            cli(cfg, ["run", "--quiet"])

        def trial(name: str, kill: int | None) -> tuple[dict[str, set[str]], list[str], int | None, int]:
            folder = base / name
            shutil.copytree(prefix, folder)
            for f in ("feeds.yaml",):
                (folder / f).unlink()
            w = World(args.seed)  # the prefix's rounds again (deterministic), not served
            for r0 in range(args.prefix):
                w.step(START + r0 * STEP)
            problems: list[str] = []
            r = args.prefix
            cfg = play(folder, w, site, port, smtp, r, "UTC")
            now_day = (START + r * STEP).date()
            if args.command != "run":
                cli(cfg, ["run", "--quiet"])
            before = len(mail.got)
            rc = None
            if kill is not None:
                p = cli(cfg, rounds_cmd(args.command, now_day), kill_after=kill)
                rc = p.returncode
                db_checks(folder, None, problems, f"{name} after the kill")
            cli(cfg, rounds_cmd(args.command, now_day))
            sent = len(mail.got) - before
            db_checks(folder, w.served if args.command != "prune" else None, problems, f"{name} after the rerun")
            for k in range(1, args.after + 1):
                cfg = play(folder, w, site, port, smtp, r + k, "Asia/Tokyo")
                cli(cfg, ["run", "--quiet"])
            last = (START + (r + args.after) * STEP).date()
            days = [START.date() + timedelta(days=i) for i in range((last - START.date()).days + 2)]
            return days_new(cfg, days, problems, name), problems, rc, sent

        ref, p_ref, _, sent_ref = trial("ref", None)
        for line in p_ref:
            print("note (reference) " + line)
        for n in range(1, args.max + 1):
            got, p, rc, sent = trial(f"k{n}", n)
            p += differs(ref, got, f"k{n}")
            also = {q.replace("ref", f"k{n}") for q in p_ref}
            p = [q for q in p if q not in also]
            if sent != sent_ref and args.command == "send":
                p.append(f"k{n}: {sent} mails where the reference sent {sent_ref}")
            bad += said(p, f"kill after commit {n}: exit {rc}, {len(p)} problems")
            if rc != 137:
                break
    print(f"{bad} problems; folders in {base}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

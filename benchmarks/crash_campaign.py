"""A kill -9 campaign on the central promise: a crash never corrupts the store, loses an
article or mails a day twice; every stored article is new in exactly one day's digest.

    python -m benchmarks.crash_campaign [--kills 100] [--seed 0] [--rounds 10] [--mail-trials 4]
                                        [--fresh 8] [--keep DIR] [--no-daemon]
                                        [--only mail] [--mail-kill-at accept|mail]
                                        [--store postgresql]   (benchmarks.crash_pg; with
                                        --only mail: the mail part on PostgreSQL)

Real parts only: a loopback HTTP server serving the four changing feeds of
``benchmarks.kill_fuzz`` and three of the shared corpus (``/work/shared/corpus/feeds``, two
documents swapped at one path between rounds), aiosmtpd on loopback, SQLite on disk,
``python -m digest`` processes SIGKILLed after random delays.  Where ``kill_fuzz`` kills one
command at a time, here commands overlap and the feeds change between the killed starts.

* clock (``clock:`` 11 h a round, the time zone moved east midway): each round, sets of
  commands started side by side, each killed at its own random delay (``run``; two ``run``;
  ``run`` + ``send``; two ``send`` of one day; ``run`` + ``build``; ``build`` + ``send`` +
  ``run``; late rounds ``prune`` alone, with ``run``, with ``send``), then ``run`` (odd rounds
  also ``send`` of the day before) to the end; at the end every past day sent, every day built.
* replay: ``digest replay`` of an archive killed, ``build`` beside it half the time.
* mail: each replayed day sent to three readers, the sender killed 0-30 ms after the SMTP
  server accepts a message (60%), then sent again.
* fresh: the first ``run`` on a new store killed as its schema is written.
* daemon (real time): the daemon killed at random, ``run`` or ``send`` beside it, then settled.

Checks: ``PRAGMA integrity_check`` (and the search index, foreign keys) after each kill; every
guid served stored, none twice as a first version (corpus feeds: the same set as a store never
killed); per day and reader at most one Message-ID, and after recovery exactly one (a message
received again with its Message-ID is counted apart: the documented window); every stored
article ``new`` in exactly one day's JSON digest, each story with news there linked in the message
mailed for the day (clock, daemon); no wait on a lock over ``--lock-wait`` after a
kill, no refusal naming a dead holder; no killed command's children left; no traceback.  One
line per problem; exit status 1 if any.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path

from .crash_world import (
    Campaign,
    alive,
    all_days,
    capture,
    check_days,
    check_mail,
    check_store,
    config,
    end_round,
    keep_all,
    publish,
    reference_corpus,
    rounds,
    send_past_days,
)
from .kill_fuzz_checks import db_checks
from .kill_fuzz_world import World, services


def part_clock(c: Campaign, count: int, per_round: int, seed: int) -> None:
    folder = c.base / "clock"
    ref_folder = c.base / "clock-ref"
    world = World(seed)
    days: set[date] = set()
    owed: set[str] = set()
    with services() as (site, port, mail, smtp):
        mailed = capture(mail)
        for rd in rounds(c, world, site, port, smtp, ref_folder, count, days):
            r, now, tz, local, prev = rd.r, rd.now, rd.tz, rd.local, rd.prev
            menu = [[["run", "--quiet"]], [["run", "--quiet"], ["run", "--quiet"]],
                    [["run", "--quiet"], ["send", "--date", prev]], [["send", "--date", prev]] * 2,
                    [["run", "--quiet"], ["build", "--date", prev]], [["build", "--date", local.isoformat()]],
                    [["build", "--date", prev], ["send", "--date", prev], ["run", "--quiet"]]]
            if r >= count - 3:
                menu += [[["prune", "--keep-days", "5"]], [["prune", "--keep-days", "5"], ["run", "--quiet"]],
                         [["prune", "--keep-days", "5"], ["send", "--date", prev]]]
            for k in range(per_round):
                if k and c.rng.random() < 0.5:  # the feeds change between two killed starts
                    keep_all(world, now + timedelta(minutes=k))
                    publish(world, site, port, r)
                cfg = config(folder, port, smtp, now + timedelta(minutes=k), tz)
                c.killed(cfg, c.rng.choice(menu))
                db_checks(folder, None, c.problems, f"round {r} after a kill")
            cfg = config(folder, port, smtp, now + timedelta(minutes=per_round), tz)
            c.complete(cfg, ["run", "--quiet"])
            end_round(c, cfg, rd, count, owed)
        check_store(c, folder / "data" / "digest.sqlite3", world.served, reference_corpus(ref_folder), "clock")
        send_past_days(c, cfg, days, owed)
        check_mail(c, mail, owed, "clock mail")
        check_days(c, cfg, folder / "data" / "digest.sqlite3", all_days(days), "clock days", mailed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=60, help="killed starts, about (a start may end before its kill)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--lock-wait", type=float, default=30.0, help="longest wait on a lock after a kill (s)")
    ap.add_argument("--keep", default="")
    ap.add_argument("--no-daemon", action="store_true")
    ap.add_argument("--fresh", type=int, default=8, help="new stores whose first run is killed")
    ap.add_argument("--mail-trials", type=int, default=4, help="stores whose days are sent killed on acceptance")
    ap.add_argument("--only", choices=("mail",), help="mail: the replay part (a few kills, the days to mail), "
                    "then the mail part alone")
    ap.add_argument("--mail-kill-at", choices=("accept", "mail"), default="accept",
                    help="the mail part's kill: 0-30 ms after the server accepts a message, or after its MAIL FROM")
    ap.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite",
                    help="postgresql: digest worker processes and digest serve killed (benchmarks.crash_pg); "
                    "with --only mail, the mail part's stores on PostgreSQL")
    args = ap.parse_args(argv)
    # a killed client's dropped connection is no error of the feeds' server: no traceback
    ThreadingHTTPServer.handle_error = lambda self, request, address: None  # type: ignore[method-assign]
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="crash_campaign_"))
    base.mkdir(parents=True, exist_ok=True)
    c = Campaign(base, random.Random(args.seed), args.lock_wait)
    t0 = time.monotonic()
    share = (0.6, 0.15, 0.25) if not args.no_daemon else (0.8, 0.2, 0.0)
    if args.only == "mail":
        from .crash_parts import part_mail, part_replay

        part_replay(c, 6, max(1, round(args.kills * share[1])), args.seed)
        part_mail(c, args.mail_trials, args.mail_kill_at, args.store, bool(args.keep))
    elif args.store == "postgresql":
        from .crash_pg import run_pg

        run_pg(c, args.rounds, args.kills, args.seed, bool(args.keep))
    else:
        part_clock(c, args.rounds, max(1, round(args.kills * share[0] / args.rounds)), args.seed)
        from .crash_parts import part_daemon, part_fresh, part_mail, part_replay

        part_replay(c, 6, max(1, round(args.kills * share[1])), args.seed)
        part_mail(c, args.mail_trials, args.mail_kill_at)
        part_fresh(c, args.fresh)
        if not args.no_daemon:
            part_daemon(c, max(1, round(args.kills * share[2])), args.seed)
    left = [(k, cmd) for k, cmd in c.orphans if alive(k)]
    if left:
        c.problems.append(f"{len(left)} processes a killed command started still running at the end: "
                          f"{sorted(Counter(cmd for _, cmd in left).items())}")
    c.notes.append(f"children of killed commands: {len(c.orphans)}, {len(left)} still running at the end")
    for line in c.notes:
        print("  " + line)
    print("  kills per command: " + ", ".join(f"{k} {c.kills[k]}/{c.tries[k]} started" for k in sorted(c.tries)))
    for line, n in c.exits.most_common():
        print(f"  ended by itself with an error ({n}x): {line}")
    for line in c.problems:
        print("PROBLEM " + line)
    print(f"  sends killed as the server accepted: {c.kills_on_accept}; messages received again with their "
          f"Message-ID (the documented window): {c.again}")
    print(f"{sum(c.kills.values())} kills; {len(c.problems)} problems; {time.monotonic() - t0:.0f} s; "
          f"folders in {base}")
    return 1 if c.problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""The ``digest`` commands that run the service: a worker, the daemon, sending, pruning and
serving.  A thin layer, as :mod:`digest.cli.commands` (which registers them): each imports what it runs
only when it runs (``digest --help`` and the light commands stay quick to start)."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from typing import TYPE_CHECKING

from ..errors import DigestError
from ..text.shown import terminal_line
from .args import check_date, week_of

if TYPE_CHECKING:
    from ..app import App
    from ..output.digests import Plan


def cmd_worker(args: argparse.Namespace) -> int:
    from ..config import load_config
    from ..service.workers import loop_worker, run_worker
    from ..store.base import open_store

    cfg = load_config(args.config)
    with open_store(cfg.database_url) as store:
        if args.every:
            loop_worker(cfg, store, index=args.index, of=args.of, every_minutes=args.every, stall=args.stall)
            return 0
        report = run_worker(cfg, store, index=args.index, of=args.of, run=args.run, stall=args.stall)
    for line in report.waiting:  # not asked, as its server asked: no failure (as ``digest run`` says)
        print(terminal_line(line), file=sys.stderr)
    for err in report.errors:
        print(f"error: {terminal_line(err)}", file=sys.stderr)
    print(report.summary(), file=sys.stderr)
    return 1 if report.errors else 0


def cmd_daemon(args: argparse.Namespace) -> int:
    from ..app import open_app
    from ..service.daemon import Daemon

    if not args.verbose:
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    with open_app(args.config) as app:
        return Daemon(app, day_offset=0 if args.digest_day == "today" else -1).run()


def cmd_send(args: argparse.Namespace) -> int:
    from ..app import open_app
    from ..config import load_config
    from ..output.digests import plans
    from ..retention import check_kept
    from ..service import delivery, maildays
    from .status import need_store

    if args.to is not None and not args.again:
        raise DigestError("--to goes with --again (a digest is mailed once to every recipient; "
                          "--again mails one again to --to)")
    if args.to is not None:  # an address the configuration could not hold: said before anything is read
        from ..service.resend import check_to
        args.to = check_to(args.to)  # "Doe, Ann <ann@x>" quoted: one address
    cfg = load_config(args.config)  # the configuration's and the arguments' mistakes first
    check_date(args, cfg.tz)
    wanted = [p for p in plans(cfg) if args.digest in (None, p.name)]
    if not wanted:
        raise DigestError(f"no digest named {args.digest!r} (see 'digests:' in {args.config})")
    if cfg.email is None:  # before anything is made or written
        raise DigestError("email is not configured (add an 'email:' section to the configuration)")
    need_store(args.config, "nothing written or sent", cfg)
    with open_app(args.config) as app:
        wanted = [p for p in plans(app.cfg) if args.digest in (None, p.name)]
        given = {p.name: week_of(p, args.date) for p in wanted} if args.date is not None else {}
        for plan in wanted:  # only a period that has ended: mailing seals it
            if (day := given.get(plan.name)) is None:
                continue
            maildays.check_ended(day, app.cfg, app.store)
            check_kept(app.store, day, start=plan.days(day)[0])  # a week: pruned from its start
            maildays.check_begun(day, app.cfg, app.store)  # not an empty day in the archive
        failed = errors = False
        if args.again:  # a lost copy, on request: nothing written, the delivery records read only
            return _send_again(app, args, wanted, given)
        for plan in wanted:
            # the latest period due (a weekly digest's week whatever the weekday: mailed once)
            day = given.get(plan.name) or maildays.latest_due_day(plan, app.cfg.now(), app.cfg.tz)
            try:  # without --date, first an earlier period whose send failed (a cron run's)
                for said, paths, sent in delivery.write_and_send(app, plan, day, given=args.date is not None):
                    for path in paths:
                        print(path)
                    if sent is not None:
                        print(f"{said}: {sent.why}", file=sys.stderr)
                        failed |= sent.failed  # an earlier period's: said, and the latest still sent
            except DigestError as exc:  # this digest's: the others are still sent
                print(f"error: {delivery.digest_label(plan.name, day)}: {exc}", file=sys.stderr)
                errors = True
    return 2 if errors else 1 if failed else 0


def _send_again(app: App, args: argparse.Namespace, wanted: list[Plan], given: dict[str | None, date]) -> int:
    """``digest send --again``: each digest of ``wanted`` (those whose recipients hold ``--to``)
    of its day mailed again (``digest.service.resend``), one line each; 2 if one could not be,
    1 if a reader's copy failed, else 0."""
    from ..output.mailer import DeliveryError
    from ..service import delivery, maildays, resend

    errors = failed = False
    for plan in resend.again_plans(app.cfg, wanted, args.to, args.digest):
        day = given.get(plan.name) or maildays.latest_due_day(plan, app.cfg.now(), app.cfg.tz)
        label = delivery.digest_label(plan.name, day)
        try:
            done = resend.resend_digest(app, day, digest=plan.name, to=args.to)
        except (DigestError, DeliveryError) as exc:
            print(f"error: {label}: {exc}", file=sys.stderr)
            errors = True
            continue
        print(f"{label}: {done.why}", file=sys.stderr)
        failed |= done.failed
    return 2 if errors else 1 if failed else 0


def cmd_prune(args: argparse.Namespace) -> int:
    from ..app import open_app
    from ..retention import prune
    from .status import need_store

    need_store(args.config, "nothing to prune")
    with open_app(args.config) as app:
        keep = args.keep_days or app.cfg.keep_days
        if keep is None:
            raise DigestError("prune: how many days to keep? give --keep-days N, or set keep_days: in the configuration")
        print(prune(app.store, app.cfg, keep, app.cfg.now(), dry_run=args.dry_run).summary())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from ..config import load_config
    from ..service.web import serve

    serve(load_config(args.config), args.host, args.port, url_prefix=args.url_prefix, trusted_proxy=args.trusted_proxy)
    return 0

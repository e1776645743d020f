"""The ``digest`` command: a thin layer over the library (``digest.app``).

Every command prints one clear line per problem to stderr and exits non-zero
when something failed; nothing here holds logic the library does not.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date, timedelta
from pathlib import Path

from ..errors import DigestError
from ..text.shown import terminal_json, terminal_line
from . import serving, sourcelist
from . import status as status_cmd
from .args import (
    check_date,
    config_arg,
    date_arg,
    day_arg,
    digest_arg,
    interrupted,
    minutes_arg,
    parse,
    port_arg,
    positive_arg,
    reader_gone,
    seconds_arg,
    setup_logging,
    stdin_bytes,
    version_arg,
    week_of,
)

Handler = Callable[[argparse.Namespace], int]
Setup = Callable[[argparse.ArgumentParser], None]




def cmd_init(args: argparse.Namespace) -> int:
    from ..config.starter import write_starter

    print(*write_starter(args.path, force=args.force).next_steps(), sep="\n")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from ..app import open_app
    from ..output.days import gone_later
    from ..output.digests import plans
    from ..service.maildays import check_begun
    from ..sources.alike import run_lines

    with open_app(args.config) as app:
        check_date(args, app.cfg.tz)
        if app.cfg.clock is not None:
            print(f"{args.config}: clock: {app.cfg.clock.isoformat()}: reading the sources as if it "
                  "were then (remove the line to read them now)", file=sys.stderr)
        if sys.stderr.isatty():  # an OPML list's entries it cannot take (from cron: digest sources)
            for note in app.cfg.list_notes:
                print(f"{args.config}: {note}", file=sys.stderr)
        if not any(s.enabled for s in app.cfg.sources):
            print(f"{args.config}: no sources to read (add feeds, files or folders under 'sources:', "
                  "or 'digest import-opml FILE')", file=sys.stderr)
        with app.polling(wait=args.wait):  # one pass at a time: another run's (or the daemon's) is waited for
            report = app.run(progress=sys.stderr.isatty() and not args.quiet)
        for line in report.waiting:  # not asked, as its server asked: no failure
            print(terminal_line(line), file=sys.stderr)
        for line in run_lines(report.errors):  # many failing alike (the network down): one line
            print(f"error: {terminal_line(line)}", file=sys.stderr)
        # the first daily digest's stories: a weekly one listed first counted its week so far
        daily = next((p.name for p in plans(app.cfg) if p.every == "day"), None)
        # where the new articles went (a later day's digest, today's having gone out): said with
        # the run's summary, a refused --date's too (what was read is stored all the same)
        report.later = gone_later(app.store, app.cfg, report.arrived, app.today())
        if args.date is not None:  # a day before the store's first, or after today: no empty day in the archive
            try:
                check_begun(args.date, app.cfg, app.store, nothing="written; the sources were read")
            except DigestError:  # what the run read and stored is said all the same, then why no digest
                print(report.summary(), file=sys.stderr)
                raise
        began = time.monotonic()  # the digest's writing, said in the summary apart (stop 65)
        view = app.build_view(args.date, digest=daily)
        paths = app.write_digests(day=date.fromisoformat(view.date), view=view)  # every daily digest
        report.writing = time.monotonic() - began
        for p in paths:
            print(p)
        report.count_digest(view)  # what the digest shows, not what the run started
        print(report.summary(), file=sys.stderr)
    return 1 if report.errors else 0


def cmd_build(args: argparse.Namespace) -> int:
    from ..app import open_app
    from ..config import load_config
    from ..output.digests import plans
    from ..output.publish import format_of
    from ..retention import check_kept
    from ..service.maildays import check_begun, latest_due_day

    args.format = format_of(args.output, args.format)  # the output file's kind, else HTML
    cfg = load_config(args.config)
    check_date(args, cfg.tz)  # a day outside the calendar: said first
    status_cmd.need_store(args.config, "nothing written", cfg)  # not today's empty digest, exit 0
    with open_app(args.config) as app:
        name, given = args.digest, args.date is not None
        weekly = next((p for p in plans(app.cfg) if p.name == name and p.every == "week"), None)
        if args.date is None and weekly is not None:  # the week mailed next, so far (not 7 days never mailed)
            args.date = latest_due_day(weekly, app.cfg.now(), app.cfg.tz) + timedelta(days=7)
        elif weekly is not None:  # the week holding the day
            args.date = week_of(weekly, args.date)
        if args.date is not None:
            # a week's first day as the plan says it (``Plan.days``), as ``digest send`` takes it
            first = weekly.days(args.date)[0] if weekly is not None else None
            check_kept(app.store, args.date, start=first)  # a week: pruned from its start
            if given:  # a day before the store's first, or after today: no empty day in the archive
                check_begun(args.date, app.cfg, app.store, nothing="written", first=first)
        if name is None and app.cfg.digests:  # several digests: which one?
            names = [d.name for d in app.cfg.digests]
            daily = [d.name for d in app.cfg.digests if d.every == "day"]
            if args.output is None and daily:  # every daily one, as 'digest run' writes them
                for p in app.write_digests(day=args.date, formats=(args.format,)):
                    print(p)
                return 0
            if len(names) > 1 or not daily:
                where = f"to {args.output}" if args.output else "(none of them is daily)"
                raise DigestError(f"{args.config}: digests {', '.join(names)} are configured: "
                                  f"name the one to write {where} with --digest")
            name = names[0]
        if args.output == "-":
            sys.stdout.write(app.render(day=args.date, fmt=args.format, digest=name))
            return 0
        out = Path(args.output) if args.output else None
        for p in app.write_digest(day=args.date, formats=(args.format,), path=out, digest=name):
            print(p)
    return 0




def cmd_dedupe(args: argparse.Namespace) -> int:
    from ..batch import dedupe_jsonl

    if args.file in (None, "-"):
        errors = dedupe_jsonl(stdin_bytes(), sys.stdout)
        name = "stdin"
    else:
        try:
            fh = open(args.file, "rb")  # noqa: SIM115 (a write to stdout failing is not the file's)
        except OSError as exc:
            raise DigestError(f"{args.file}: cannot read: {exc.strerror}") from None
        with fh:
            errors = dedupe_jsonl(fh, sys.stdout)
        name = args.file
    for bad in errors:
        print(f"error: {name}:{bad.line}: {bad.problem}", file=sys.stderr)
    return 1 if errors else 0


def cmd_replay(args: argparse.Namespace) -> int:
    from ..app import open_app
    from ..service.replay import check_span, replay_jsonl

    check_span(args.from_day, args.to_day)
    try:  # bytes: a line not UTF-8 is one bad line (``digest.batch.numbered_records``)
        fh: AbstractContextManager[Iterable[bytes | str]] = (
            nullcontext(stdin_bytes()) if args.file == "-" else open(args.file, "rb"))  # noqa: SIM115
    except OSError as exc:
        raise DigestError(f"{args.file}: cannot read: {exc.strerror}") from None
    with fh as lines, open_app(args.config) as app:
        report = replay_jsonl(app, lines, first=args.from_day, last=args.to_day)
    name = "stdin" if args.file == "-" else args.file
    for bad in report.errors:
        print(f"error: {name}:{bad.line}: {bad.problem}", file=sys.stderr)
    print(report.summary(), file=sys.stderr)
    return 1 if report.errors else 0


def cmd_search(args: argparse.Namespace) -> int:
    import json

    from ..app import open_app
    from ..output.search import check_query, listed_day, search

    query = " ".join(args.query)  # digest search storm corrin: as "storm corrin"
    check_query(query, args.limit)  # a query that is no search: said first
    status_cmd.need_store(args.config, "nothing searched")
    with open_app(args.config) as app:
        found = search(app.store, app.cfg, query, since=args.since, limit=args.limit, newest=args.newest)
        # --since left everything out: say so, not that nothing matches (a reader narrowing a search)
        earlier = not found and args.since is not None and bool(search(app.store, app.cfg, query, limit=1))
    if args.json:
        from ..output.sanitize import safe_url

        # the keys of digest/output/search.schema.json: ``outlet`` as the JSON digest names it
        # (``source`` the same, as before), a link not http(s) null as there (a javascript: one)
        rows = [{"story_id": r.story_id, "day": r.day.isoformat(), "title": r.title, "outlet": r.source,
                 "source": r.source, "url": safe_url(r.url), "outlets": r.outlets, "versions": r.versions,
                 "score": round(r.score, 4), "lang": r.lang, "listed_day": listed_day(r, args.since).isoformat()}
                for r in found]
        print(terminal_json(json.dumps(rows, ensure_ascii=False, indent=2)))
        return 0 if found else 1  # as grep: 1 when nothing matches, 2 for an error
    for r in found:  # a feed's title and outlet drive no terminal (C1 controls, a U+202E)
        more = f" (+{r.outlets - 1} {'outlet' if r.outlets == 2 else 'outlets'})" if r.outlets > 1 else ""
        # a story new before --since, found by a later version: listed under the digest of that
        # version, its first day said (it read as a filter that failed under its first day: stop 65)
        day = listed_day(r, args.since)
        first = f"\n            developing: first in the digest of {r.day.isoformat()}" if day != r.day else ""
        print(f"{day.isoformat()}  {terminal_line(r.title)}\n            {terminal_line(r.source)}{more}"
              + (f"  {terminal_line(r.url)}" if r.url else "") + first)
    if earlier:
        print(f"no story matches {query!r} in the digest of {args.since.isoformat()} or later; "
              "earlier ones do (without --since)", file=sys.stderr)
    elif not found:
        print(f"no story matches {query!r}", file=sys.stderr)
    return 0 if found else 1  # as grep, rg, git grep: a script's `if digest search ...` tells


def cmd_explain(args: argparse.Namespace) -> int:
    from ..app import open_app
    from ..explain import as_text
    from ..output.jsonview import json_value

    status_cmd.need_store(args.config, "nothing to explain")
    with open_app(args.config) as app:
        if args.other:
            out = app.explain_pair(args.key, args.other)
        else:
            out = app.explain_story(args.key)
        cfg = app.cfg
    print(terminal_json(json.dumps(out, indent=2, ensure_ascii=False, default=json_value)) if args.json
          else as_text(out, cfg=cfg))
    return 0


COMMANDS: dict[str, tuple[str, Handler, Setup]] = {}


def command(name: str, help_text: str) -> Callable[[Setup], Setup]:
    def deco(setup: Setup) -> Setup:
        attr = "cmd_" + name.replace("-", "_")  # here, a service command's (``digest.cli.serving``),
        # or one that changes the sources listed (``digest.cli.sourcelist``)
        handler = (globals().get(attr) or getattr(serving, attr, None) or getattr(status_cmd, attr, None)
                   or getattr(sourcelist, attr))
        COMMANDS[name] = (help_text, handler, setup)
        return setup

    return deco


@command("init", "write a starter configuration (feeds.yaml) to begin with")
def _setup_init(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", nargs="?", metavar="PATH",
                   help="the file to write, or a folder to write feeds.yaml in (default: ./feeds.yaml)")
    p.add_argument("--force", action="store_true",
                   help="replace a file that exists (the old one is kept as FILE.bak)")


@command("run", "fetch every source, store, dedupe, and write today's digest (.md and .html)")
def _setup_run(p: argparse.ArgumentParser) -> None:
    config_arg(p)
    p.add_argument("--once", action="store_true", help="one pass and exit (the default for run)")
    date_arg(p, "write the digest of this day instead of today")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument("--wait", type=seconds_arg, default=600.0, metavar="SECONDS",
                   help="wait at most this long for another run or the daemon's poll round to finish "
                        "with the store (default: 600)")


@command("build", "render the digest of a day from the store")
def _setup_build(p: argparse.ArgumentParser) -> None:
    config_arg(p)
    digest_arg(p, "the single daily digest, or every daily one of 'digests:'; to -o one must be named")
    date_arg(p, "day to render (default: today; a weekly digest: the week holding the day)")
    p.add_argument("--format", choices=("md", "html", "json"),
                   help="output format (default: the output file's kind, .md, .html or .json, another "
                        "kind refused; html to standard output or output_dir)")
    p.add_argument("-o", "--output", metavar="FILE", help="output file, or - for standard output (default: output_dir)")


@command("dedupe", "cluster JSON Lines articles into stories (no database)")
def _setup_dedupe(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", metavar="FILE",
                   help="JSON Lines: id, title, text or html, url?, source?, published?, "
                                           "priority? (default, or '-': standard input)")


@command("replay", "run a dated JSON Lines archive through the pipeline, writing each day's digest")
def _setup_replay(p: argparse.ArgumentParser) -> None:
    config_arg(p)
    p.add_argument("file", metavar="FILE",
                   help="JSON Lines: id, title, text or html, url?, source, published, arrived?, lang?, outlet? "
                        "('-': standard input)")
    p.add_argument("--from", dest="from_day", type=day_arg, metavar="DAY",
                   help="write digests from this day on (earlier articles are still read)")
    p.add_argument("--to", dest="to_day", type=day_arg, metavar="DAY",
                   help="stop after this day (later articles are not read)")


@command("search", "find stories by words in any of their versions")
def _setup_search(p: argparse.ArgumentParser) -> None:
    config_arg(p)
    p.epilog = "exit status: 0 when a story matches, 1 when none does, 2 for an error (as grep's)"
    p.add_argument("query", nargs="+", metavar="WORDS", help='words (all must match), "a phrase", -word to leave out '
                   "(after --: digest search -- storm -gale)")
    p.add_argument("--since", type=day_arg, metavar="DAY", help="only stories in this day's digest or later, new or developing")
    p.add_argument("--limit", type=positive_arg, default=20, metavar="N", help="at most this many stories (default: 20)")
    p.add_argument("--newest", action="store_true",
                   help="the story with the latest matching version first (default: best match first)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


@command("add", "add a feed to the configuration, checked by reading it once")
def _setup_add(p: argparse.ArgumentParser) -> None:
    config_arg(p)
    p.add_argument("url", metavar="URL", help="the feed's URL, or a page of the site that links its feed "
                   "(without a scheme, example.com/feed, https:// is assumed)")
    p.add_argument("--name", help="the source's name (default: the feed's own title; with none, or "
                   "--no-check, its host and path: example.com/world)")
    p.add_argument("--category", help="the source's category (the section of the digest it goes in)")
    p.add_argument("--no-check", action="store_true", help="add the URL as given, without reading it")


@command("import-opml", "add the feeds of an OPML list (a file or a URL) to the configuration")
def _setup_import(p: argparse.ArgumentParser) -> None:
    config_arg(p)
    p.add_argument("file", metavar="FILE|URL", help="OPML file, or its http(s) URL")
    p.add_argument("--check", action="store_true",
                   help="read each feed first, as 'digest add' does: one that cannot be read is not added, and "
                        "says why")


@command("export-opml", "write the configured feeds as OPML (folders from each source's category)")
def _setup_export(p: argparse.ArgumentParser) -> None:
    config_arg(p)
    p.add_argument("-o", "--output", metavar="FILE", help="OPML file to write, or - for standard output (the default)")


@command("remove", "remove a source from the configuration (its articles stay)")
def _setup_remove(p: argparse.ArgumentParser) -> None:
    config_arg(p)
    p.add_argument("name", metavar="NAME", nargs="+",  # "digest remove Wire A", unquoted, is "Wire A"
                   help="the source's name, as 'digest sources' lists it (any capitals and spacing; its words "
                        "need no quotes), or its feed's URL (any spelling)")
    p.set_defaults(_words="name")  # its words split by an option: "remove Wire -c feeds.yaml A" (args._name_words)


@command("explain", "show why a story's lead won, or why two articles were (not) merged")
def _setup_explain(p: argparse.ArgumentParser) -> None:
    config_arg(p)
    p.add_argument("key", metavar="ID",
                   help="a story: its id, or its page's address in 'digest serve'; or an article: its key, its id "
                        "as the JSON digest shows it, or its link")
    p.add_argument("other", nargs="?", metavar="OTHER", help="a second article (key, id or link): explain the pair")
    p.add_argument("--json", action="store_true", help="machine-readable output")


@command("prune", "remove the stories wholly older than the days kept (keep_days)")
def _setup_prune(p: argparse.ArgumentParser) -> None:
    config_arg(p)
    p.add_argument("--keep-days", type=positive_arg, metavar="N",
                   help="keep the last N days, today included (default: keep_days in the configuration; "
                        "at least two dedup windows and 3 days: 63 with the default window)")
    p.add_argument("--dry-run", action="store_true", help="say what would be removed, remove nothing")


@command("sources", "list each source's fetch state")
def _setup_sources(p: argparse.ArgumentParser) -> None:
    config_arg(p)
    p.add_argument(
        "--resume",
        metavar="NAME",
        action="append",
        nargs="+",  # "--resume Wire A", unquoted, is "Wire A" (cmd_sources joins the words)
        help="unpause a paused source (gone or failing for days) and read it at the next run or poll round "
        "(a source not paused is left as it is; its words need no quotes); repeatable",
    )
    p.set_defaults(_words="resume")  # "--resume Wire -c feeds.yaml A" (args._name_words)


@command("status", "say whether digest is healthy: store, daemon, last poll, mail")
def _setup_status(p: argparse.ArgumentParser) -> None:
    config_arg(p)
    p.epilog = ("exit status: 0 when nothing needs attention, 1 when something does (a failed delivery, a "
                "digest owed past its time, every source failing, a daemon running that reads nothing), 2 for an "
                "error (no store yet); reads only")
    p.add_argument("--json", action="store_true", help="machine-readable output (one JSON object)")


@command("worker", "one of several workers sharing a PostgreSQL store (and a Redis index)")
def _setup_worker(p: argparse.ArgumentParser) -> None:
    config_arg(p)
    p.epilog = "how to set them up: docs/scale-out.md, in digest's source distribution (not installed)"
    p.add_argument("--index", type=int, required=True, metavar="I", help="this worker's number, 0 .. N-1")
    p.add_argument("--of", type=int, required=True, metavar="N", help="how many workers share the sources (N)")
    p.add_argument("--run", metavar="NAME", help="one pass named NAME: workers of one run cluster in configuration order")
    p.add_argument("--every", type=minutes_arg, metavar="MINUTES",
                   help="keep running: one pass per time slot, the slot naming the run")
    p.add_argument("--stall", type=seconds_arg, default=300.0, metavar="SECONDS",
                   help="seconds to wait for another worker's turn before going on (default: 300)")


@command("daemon", "run continuously: poll sources, build and mail the daily digest")
def _setup_daemon(p: argparse.ArgumentParser) -> None:
    config_arg(p)
    p.add_argument(
        "--digest-day",
        choices=("yesterday", "today"),
        default="yesterday",
        help="the digest at schedule.digest_time covers the day that ended (default) or the day so far",
    )


@command("send", "write a day's digest and email it (at most once per day, or week, and address)")
def _setup_send(p: argparse.ArgumentParser) -> None:
    config_arg(p)
    digest_arg(p, "every one of 'digests:', or the single daily digest")
    date_arg(p, "day to send, one that has ended (default: the last one that has, or the week's, as "
                "the default daemon sends it, after any of the week before still owed)")
    p.add_argument("--again", action="store_true",
                   help="mail the day's digest again, on request, to each recipient it reached (a lost copy): "
                        "a new message (a new Message-ID, 'References:' the first one's); the delivery records "
                        "stay as they are, so the automatic sends never mail the day again; a day never sent "
                        "is one line, nothing mailed (send it without --again)")
    p.add_argument("--to", metavar="ADDRESS",
                   help="with --again: only to ADDRESS, one of the digest's recipients")


@command("serve", "serve the digest archive over HTTP (read-only; keeps a cache in the store)")
def _setup_serve(p: argparse.ArgumentParser) -> None:
    config_arg(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=port_arg, default=8080, help="port (default: 8080; 0: any free port)")
    p.add_argument("--url-prefix", default="", metavar="PATH",
                   help="the path a reverse proxy serves the archive under, e.g. /news (every link of its pages and "
                        "its Atom feed is put under it)")
    p.add_argument("--trusted-proxy", metavar="ADDR",
                   help="believe X-Forwarded-Proto/Host/Port/For from this address (the proxy's; '*': any)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest",
        description="Self-hosted news deduplicator and daily digest.",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log debug detail to stderr")
    version_arg(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, handler, setup) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        setup(p)
        # after the command too ("digest run -v"); SUPPRESS: not given here, the top level's stands
        p.add_argument("--verbose", "-v", action="store_true", default=argparse.SUPPRESS,
                       help="log debug detail to stderr")
        p.set_defaults(handler=handler, _parser=p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parse(parser, sys.argv[1:] if argv is None else argv, list(COMMANDS))
    setup_logging(args.verbose, timed=getattr(args, "command", None) in ("daemon", "serve", "worker"))
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        code = int(args.handler(args))
        sys.stdout.flush()  # a reader gone (digest ... | head -1) is seen here, not at exit
        return code
    except BrokenPipeError:  # no traceback: as a process killed by SIGPIPE
        return reader_gone()
    except DigestError as exc:
        for line in str(exc).splitlines():  # a configuration may have several problems
            print(f"error: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return interrupted()


if __name__ == "__main__":
    sys.exit(main())

"""The ``digest`` command's shared options, the types of their values, and how the
command line is checked before a command runs.

Each value type raises ``argparse.ArgumentTypeError`` with the value and
what was expected, so that argparse prints one line naming the option
(``argument --date: not a date (YYYY-MM-DD): '2026-13-01'``).  An option
shared by several commands is defined once here (same spelling, metavar and
meaning everywhere).

Special cases: ``--version`` reads the installed package's version only when
asked (``import digest`` stays cheap); an unknown command is refused with the
closest one (argparse 3.11 only lists them all); arguments a command does not
take are refused with that command's usage, not the top level's.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import gc
import logging
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date, tzinfo
from typing import IO, TYPE_CHECKING, Any

from ..text.shown import log_text, without_controls

if TYPE_CHECKING:
    from ..output.digests import Plan

DEFAULT_CONFIG = "feeds.yaml"


def config_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        "-c",
        default=DEFAULT_CONFIG,
        metavar="FILE",
        help=f"configuration file (default: {DEFAULT_CONFIG}; relative paths in it are read from its folder)",
    )


def digest_arg(p: argparse.ArgumentParser, default: str) -> None:
    """``--digest NAME``; ``default`` says what the command does without it."""
    p.add_argument("--digest", metavar="NAME", help=f"one of the configuration's 'digests:' (default: {default})")


def date_arg(p: argparse.ArgumentParser, help_text: str) -> None:
    """``--date YYYY-MM-DD`` (run, build, send): ``help_text`` names the default."""
    p.add_argument("--date", type=day_arg, metavar="YYYY-MM-DD", help=help_text)


class _Version(argparse.Action):
    """``--version``: ``digest 0.1.0`` on standard output, exit 0."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            said = version("digest")
        except PackageNotFoundError:  # run from a source tree that was never installed
            said = "(not installed: no package metadata)"
        print(f"digest {said}")
        parser.exit(0)


def version_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--version", action=_Version, nargs=0, help="print the installed version and exit")


def parse(parser: argparse.ArgumentParser, argv: Sequence[str], commands: Sequence[str]) -> argparse.Namespace:
    """``parser.parse_args(argv)``, with an unknown command refused with the closest
    one and an argument a command does not take refused with its own usage (each
    subparser sets ``_parser`` to itself)."""
    word = next((a for a in argv if not a.startswith("-")), None)  # the top level takes no values
    if word is not None and word not in commands:
        close = difflib.get_close_matches(word, commands, n=1, cutoff=0.5)
        close = close or [c for c in commands if c.startswith(word)][:1]
        hint = f"; did you mean '{close[0]}'?" if close else ""
        parser.error(f"unknown command {word!r}{hint} (commands: {', '.join(commands)})")
    args, extra = parser.parse_known_args(argv)
    extra = _name_words(args, extra)
    if extra:
        # a search's word left out ("-gale") reads as an option: say how to give it
        hint = (f" (a word to leave out goes after --: digest search -- {' '.join(args.query or ['storm'])} "
                f"{extra[0]})" if getattr(args, "command", None) == "search" and extra[0].startswith("-") else "")
        getattr(args, "_parser", parser).error(f"unrecognized arguments: {' '.join(extra)}{hint}")
    return args


def _name_words(args: argparse.Namespace, extra: list[str]) -> list[str]:
    """``extra`` less the words of a name an option split (``digest remove Wire -c feeds.yaml A``,
    ``sources --resume Wire -c feeds.yaml A``): argparse ends a name's words at the option and
    left "A" unrecognized (stop 65; ``parse_intermixed_args`` refuses a parser with commands).
    A command whose name takes words unquoted names its list (``_words``: ``set_defaults``);
    plain words left over are that name's, the last one given (an option repeated, ``--resume A
    -c F B --resume C``, is said: whose "B" is cannot be told)."""
    dest = getattr(args, "_words", None)
    held = getattr(args, dest, None) if dest else None
    if not extra or not held or any(w.startswith("-") for w in extra):
        return extra
    if isinstance(held[-1], list):  # an option given once or more (action="append")
        if len(held) > 1:
            args._parser.error(
                f"unrecognized arguments: {' '.join(extra)} (a name's words after another option, with "
                f"--{dest} given {len(held)} times: quote each name, --{dest} 'Wire A')")
        held = held[-1]
    held.extend(extra)
    return []


def day_arg(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def positive_arg(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"not a whole number of 1 or more: {value!r}")
    return n


class _Shown(logging.Formatter):
    """A log line's message as a terminal shows it (``text.shown.log_text``: no control character
    of a file's name or a feed's field drives it); a traceback after it as it is."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = log_text(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:  # a traceback's messages name files and feeds too
        return without_controls(super().formatException(ei))


class _Said(_Shown):
    """A log line of a command that runs and ends (``digest run``, ``add``, ``build``): as its
    own lines are ("error: ...", "warning: ..."; information plain), without the time and the
    logger's name a daemon's log needs (stop 46 review: "2026-12-05 12:13:07,655 WARNING
    digest.config.reading: ..." beside the run's own "error: Coast: ..." lines)."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return text if record.levelno < logging.WARNING else f"{record.levelname.lower()}: {text}"


def setup_logging(verbose: bool, *, timed: bool = False) -> None:
    """Log lines to stderr (debug detail with ``--verbose``); the libraries' chatter muted.
    ``timed``: a command that runs on (``daemon``, ``serve``, ``worker``), each line with its
    time, level and logger, as a log file wants; with ``--verbose`` too."""
    handler = logging.StreamHandler(sys.stderr)
    if timed or verbose:
        handler.setFormatter(_Shown("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(_Said("%(message)s"))
    root = logging.getLogger()
    if not root.handlers:  # as basicConfig: a caller's own logging (pytest's) is left as it is
        root.addHandler(handler)
        root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("trafilatura", "httpx", "httpcore", "htmldate", "courlan", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def interrupted() -> int:
    """After Ctrl-C, once caught: one line saying so (a run ended without a word looked
    finished), the collector :func:`stdin_bytes` left off back on; the status of a process
    stopped by SIGINT (128 + 2)."""
    gc.enable()
    with contextlib.suppress(OSError, ValueError):  # standard error closed
        print("interrupted", file=sys.stderr)
    return 130


class StdinLines:
    """Standard input's lines as bytes, so a line that is not UTF-8 is one bad line (a
    replaced ``sys.stdin`` without a byte buffer is read as it is).  It has ``readline(size)``,
    so ``digest.batch`` reads a line of more than ``batch.MAX_LINE_BYTES`` past in pieces, as
    from a file (a line of 100 MB piped in was held whole: stop 42).

    Each line is read with the garbage collector off (when it was on), and after Ctrl-C it
    stays off for the way out (:func:`interrupted` turns it on once caught).  Why: on
    CPython 3.11 a collection could run while the ``KeyboardInterrupt`` that ended a read
    waiting on a terminal or pipe was dispatched or on its way out; it freed the engine (a
    reference cycle), whose vocabulary holder's ``WeakSet`` callback then ran with the
    exception set, reported it ("Exception ignored in ... _remove: KeyboardInterrupt") and
    cleared it, and the ``for`` over the input took that for its end: ``digest dedupe``
    waiting on standard input read on after Ctrl-C and exited 0 at end of input.  (3.12
    collects only between bytecodes.)"""

    def __init__(self) -> None:
        self._stream: IO[bytes] | IO[str] = getattr(sys.stdin, "buffer", sys.stdin)

    def readline(self, size: int = -1) -> bytes | str:
        collecting = gc.isenabled()
        gc.disable()
        try:
            line = self._stream.readline(size)
        except KeyboardInterrupt:
            raise
        except BaseException:
            if collecting:
                gc.enable()
            raise
        if collecting:
            gc.enable()
        return line

    def __iter__(self) -> Iterator[bytes | str]:
        while line := self.readline():
            yield line


def stdin_bytes() -> StdinLines:
    """Standard input's lines (:class:`StdinLines`)."""
    return StdinLines()


def reader_gone() -> int:
    """Standard output's reader went away (``digest ... | head -1``): what is left to write
    goes to /dev/null (so the exit's flush does not fail too), and the status is SIGPIPE's
    (128 + 13), as Ctrl-C's is 130 (128 + 2)."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 141


def _number(value: str, fits: Callable[[float], bool], what: str) -> float:
    """``value`` as a finite float that ``fits``, else a usage error naming ``what``."""
    try:
        n = float(value)
    except ValueError:
        n = math.nan
    if not (math.isfinite(n) and fits(n)):
        raise argparse.ArgumentTypeError(f"not a number of {what}: {value!r}")
    return n


def seconds_arg(value: str) -> float:
    """A duration in seconds: a finite number, 0 or more (``nan`` waited for ever)."""
    return _number(value, lambda n: n >= 0, "seconds (0 or more)")


def minutes_arg(value: str) -> float:
    """A period in minutes: a finite number above 0."""
    return _number(value, lambda n: n > 0, "minutes above 0")


def port_arg(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port (1-65535, or 0 for any free one): {value!r}")
    return port


def check_date(args: argparse.Namespace, tz: tzinfo) -> None:
    """``--date`` must have a start and an end in UTC (9999-12-31 has no end)."""
    from ..sources.dates import check_day

    if args.date is not None:
        check_day(args.date, tz)


def week_of(plan: Plan, day: date) -> date:
    """The date of ``plan``'s period holding ``day`` (a weekly digest: its week's last day),
    with one line on standard error when that is another day."""
    period = plan.period_of(day)
    if period != day:
        print(f"digest {plan.name}: {day} is in the week of {plan.days(period)[0]} to {period}: "
              f"that week's digest", file=sys.stderr)
    return period

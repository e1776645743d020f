"""The ``digest`` command's shared options and the types of their values.

Each value type raises ``argparse.ArgumentTypeError`` with the value and
what was expected, so that argparse prints one line naming the option
(``argument --date: not a date (YYYY-MM-DD): '2026-13-01'``).
"""

from __future__ import annotations

import argparse
from datetime import date

DEFAULT_CONFIG = "feeds.yaml"


def config_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        "-c",
        default=DEFAULT_CONFIG,
        help=f"configuration file (default: {DEFAULT_CONFIG})",
    )


def digest_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--digest", metavar="NAME",
                   help="one of the configuration's 'digests:' (default: the single daily digest, or every daily one of 'digests:')")


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


def port_arg(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port (1-65535, or 0 for any free one): {value!r}")
    return port

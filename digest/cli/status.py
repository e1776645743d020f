"""``digest status``: whether digest is healthy, for an operator or a monitor (a thin layer over
:mod:`digest.service.status`, which reads the store only).

Exit status: 0 when nothing needs attention, 1 when something does (each said on an
``attention:`` line), 2 on an error (no store yet, a configuration or store that cannot be
read): a systemd timer, a cron line or a monitoring check tells by it.
"""

from __future__ import annotations

import argparse
import json

from ..text.shown import terminal_json, terminal_line


def cmd_status(args: argparse.Namespace) -> int:
    from ..config import load_config
    from ..service.status import gather

    status = gather(load_config(args.config))
    if args.json:
        print(terminal_json(json.dumps(status.as_json(), ensure_ascii=False, indent=2)))
    else:
        for line in status.lines():  # a source's name or an error of a server drives no terminal
            body = line.lstrip(" ")  # a digest's readers indented under it
            print(line[: len(line) - len(body)] + terminal_line(body))
    return 1 if status.attention else 0

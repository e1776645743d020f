"""``digest status``: whether digest is healthy, for an operator or a monitor (a thin layer over
:mod:`digest.service.status`, which reads the store only); and ``digest sources``, each source's
state (``--resume``: unpause one), which makes no store when there is none yet.

Exit status: 0 when nothing needs attention, 1 when something does (each said on an
``attention:`` line), 2 on an error (no store yet, a configuration or store that cannot be
read): a systemd timer, a cron line or a monitoring check tells by it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from ..errors import DigestError
from ..records import plural
from ..text.shown import terminal_json, terminal_line

if TYPE_CHECKING:
    from ..config import Config
    from ..store.base import SourceState


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


def _condition(state: SourceState) -> str:
    """A source's condition for one line: ``ok``, or ``failing, 1 failure`` (``N failures``)."""
    if state.condition == "failing":
        return f"failing, {plural(state.failures, 'failure')}"
    return state.condition


def _listed_before_any_store(args: argparse.Namespace) -> bool:
    """For ``digest sources`` before any run: each configured source listed "not fetched yet",
    and a line on standard error that there is no store yet; nothing made (it made the store, a
    look that wrote a database file).  ``--resume`` then is an error: nothing is paused.  True
    when it listed them; False when there is a store (the caller opens it as before)."""
    from ..config import load_config
    from ..errors import ConfigError
    from ..sources.states import source_lines
    from ..store.base import redact
    from ..store.readonly import open_read_only
    from ..store.sqlite import path_of

    cfg = load_config(args.config)
    store = open_read_only(cfg.database_url)
    if store is not None:
        store.close()
        return False
    url = cfg.database_url
    where = str(path_of(url)) if url.lower().startswith("sqlite") else redact(url)
    if args.resume:
        raise DigestError(f"no store yet at {where}: no source was read, none is paused (nothing resumed)")
    if cfg.missing_paths:  # as ``open_app`` says them: with nothing read, each missing path is a typo
        raise ConfigError("\n".join(line for _, line in cfg.missing_paths))
    for row in source_lines(None, cfg):
        print(row)
    print(f"no store yet at {where}: no source read yet ('digest run' or the daemon reads them)", file=sys.stderr)
    return True


def need_store(config: str, nothing: str, cfg: Config | None = None) -> None:
    """DigestError, "no store yet at WHERE: run `digest run` first (NOTHING)", when the store the
    configuration (``cfg``, loaded already, else read from ``config``) names was never made.  A
    command that only reads the store (``search``, ``explain``, ``prune``) made an empty one and
    answered from it: "no story matches" for a ``data_dir:`` typo, or a configuration read from
    the wrong folder; ``build`` wrote today's empty digest (exit 0), ``send`` made the store
    before it said mail is not configured (stop 64's review)."""
    from ..config import load_config
    from ..store.base import redact
    from ..store.readonly import open_read_only
    from ..store.sqlite import path_of

    url = (cfg or load_config(config)).database_url
    store = open_read_only(url)
    if store is not None:
        store.close()
        return
    where = str(path_of(url)) if url.lower().startswith("sqlite") else redact(url)
    raise DigestError(f"no store yet at {where}: run `digest run` first ({nothing})")


def cmd_sources(args: argparse.Namespace) -> int:
    from ..app import open_app

    if _listed_before_any_store(args):
        return 0  # the configured sources listed, no store made (a read-only look, stop 61)
    with open_app(args.config) as app:
        for name in (" ".join(words) for words in args.resume or ()):  # a name's words, given unquoted
            resumed, state = app.resume_source(name)
            if resumed:
                print(f"{name}: resumed; polled at the next round")
            else:  # what was asked holds already: exit 0, as for a paused one
                print(f"{name}: not paused ({_condition(state)}): nothing to resume")
        for row in app.source_states():
            print(row)
    return 0

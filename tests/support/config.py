"""The one way tests make a configuration, and an App over it.

Tests ask for the ``make_config`` and ``make_app`` fixtures (``tests/conftest.py``); helper
functions (here in ``tests/support``, or a test module's own) call these functions directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from digest.app import App
from digest.config import Config, load_config, parse_config
from digest.store.base import open_store

#: Sources as ``feeds.yaml`` list items (YAML text), or name -> URL (``http(s)://``) or path.
Sources = str | Mapping[str, str | Path]
MakeConfig = Callable[..., Config]
MakeApp = Callable[..., App]


def loopback_email(port: int) -> str:
    """The ``email:`` block (YAML text) of a plain SMTP server on loopback at ``port``, mailing
    digest@example.org to me@example.org."""
    return (f"email:\n  host: 127.0.0.1\n  port: {port}\n  security: none\n"
            "  from: digest@example.org\n  to: [me@example.org]\n")


def config_text(sources: Sources = "", extra: str = "", **settings: Any) -> str:
    """A ``feeds.yaml``: the sources, the output and the data under the file's folder (``out``,
    ``data``), then ``settings`` as top-level keys and ``extra`` (YAML text)."""
    if isinstance(sources, Mapping):
        sources = "".join(
            f"  - name: {json.dumps(name)}\n"
            f"    {'url' if str(at).startswith(('http://', 'https://')) else 'path'}: {json.dumps(str(at))}\n"
            for name, at in sources.items()
        )
    listing = f"\n{sources}" if sources else " []\n"
    text = f"sources:{listing}output_dir: out\ndata_dir: data\n"
    if settings:
        text += yaml.safe_dump(settings, sort_keys=False)
    return text + extra


def make_config(where: Path, sources: Sources = "", extra: str = "", *, write: bool = False, **settings: Any) -> Config:
    """The configuration of ``config_text`` as if read from ``where/feeds.yaml``; with ``write``
    the file is written and read (``Config.config_path`` names it: for ``--config``)."""
    text = config_text(sources, extra, **settings)
    path = where / "feeds.yaml"
    if not write:
        return parse_config(text, path=path)
    where.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def make_app(where: Path, sources: Sources = "", extra: str = "", **settings: Any) -> App:
    """An App over ``make_config(where, sources, extra, **settings)`` and its own store."""
    cfg = make_config(where, sources, extra, **settings)
    return App(cfg, open_store(cfg.database_url))

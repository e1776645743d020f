"""digest: collapse the same story from many news sources into one, and write a daily digest.

The public API is small; everything else is a private module behind it::

    from digest import open_app, Engine, Doc

    with open_app("feeds.yaml") as app:      # configuration, store, engine
        app.run()                             # read every source once
        html = app.render(fmt="html")         # today's digest

    engine = Engine()                         # the dedup engine alone, in memory
    engine.add(Doc(id="a", title="...", text="..."))

Names are imported on first use (PEP 562), so ``import digest`` stays cheap
for the command line.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

#: Public name -> the module that defines it.
_EXPORTS = {
    "App": "app",
    "open_app": "app",
    "RunReport": "runreport",
    "Config": "config",
    "load_config": "config",
    "parse_config": "config",
    "Engine": "dedup.engine",
    "Doc": "dedup.doc",
    "Params": "dedup.params",
    "Assignment": "dedup.doc",
    "dedupe_records": "batch",
    "Store": "store.base",
    "open_store": "store.base",
    "DigestError": "errors",
}

__all__ = [
    "App",
    "Assignment",
    "Config",
    "DigestError",
    "Doc",
    "Engine",
    "Params",
    "RunReport",
    "Store",
    "__version__",
    "dedupe_records",
    "load_config",
    "open_app",
    "open_store",
    "parse_config",
]

if TYPE_CHECKING:
    __version__: str
    from .app import App, open_app
    from .batch import dedupe_records
    from .config import Config, load_config, parse_config
    from .dedup.doc import Assignment, Doc
    from .dedup.engine import Engine
    from .dedup.params import Params
    from .errors import DigestError
    from .runreport import RunReport
    from .store.base import Store, open_store


def __getattr__(name: str) -> Any:
    if name == "__version__":  # one place for it: pyproject.toml
        from importlib.metadata import version

        return version(__name__)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'digest' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__

"""The ``digest`` command line: a thin layer over the library (``digest.app``).

``commands`` defines the parser and the light commands; ``args`` the shared options and their
checks; ``serving`` the commands that run the service (worker, daemon, send, prune, serve);
``sourcelist`` the ones that change which sources ``feeds.yaml`` lists (add, remove).
"""

from __future__ import annotations

from .commands import COMMANDS, build_parser, main

__all__ = ["COMMANDS", "build_parser", "main"]

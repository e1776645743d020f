"""A one-line progress bar on stderr for interactive runs (``digest run`` on a terminal)."""

from __future__ import annotations

import sys


class Progress:
    """A one-line progress bar on stderr for interactive runs."""

    def __init__(self, total: int) -> None:
        self.total, self.n = total, 0

    def step(self, label: str) -> None:
        self.n += 1
        width = 30
        filled = int(width * self.n / max(1, self.total))
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.n}/{self.total} {label[:30]:<30}")
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\n")

"""The daemon's stop: a flag its signal handlers set, and a fetch of many sources that gives
up when it is set (nothing fetched is stored: the round ends at once)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from types import FrameType
from typing import Any

from ..config import Config

__all__ = ["StopFlag", "fetch_until_stopped"]


class StopFlag:
    """Set from signal handlers: a plain flag (no locks in a signal handler)."""

    def __init__(self) -> None:
        self.requested = False
        self.signum: int | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt  # second signal: stop now, the open transaction rolls back
        self.requested, self.signum = True, signum


async def fetch_until_stopped(requests: Sequence[Any], cfg: Config, stop: StopFlag) -> list[Any] | None:
    """fetch_many, cancelled (returning None) when a stop is requested."""
    from ..sources.fetch import fetch_many

    task = asyncio.ensure_future(fetch_many(requests, config=cfg.fetch))
    while not task.done():
        if stop.requested:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            return None
        await asyncio.wait({task}, timeout=0.1)
    return task.result()

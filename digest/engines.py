"""The dedup engine as the configuration makes it: one factory for ``App`` and the workers.

Observations
------------
A plain ``App`` (``digest run``, the daemon) and a worker of several
(``digest.service.workers``) each hold an engine rebuilt from what was stored;
they must build it alike, or the same store gives different stories
depending on which process clusters next.

How it works
------------
* :func:`new_engine`: an empty ``Engine`` with the configured window
  (``dedup.window_days``) and candidate index (``index``: Redis when
  configured, else in memory, ``digest.dedup.index_redis.open_index``).
  A caller may wrap the index (the workers journal what they insert, to undo
  a failed unit).
* :func:`restore_since`: where the rebuild starts reading the store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from .config import Config
from .dedup.engine import Engine, Params
from .dedup.index import CandidateIndex


def window_seconds(cfg: Config) -> float:
    """The dedup window (``dedup.window_days``) in seconds."""
    return cfg.dedup.window_days * 86400.0


def new_engine(cfg: Config, wrap: Callable[[CandidateIndex], CandidateIndex] | None = None) -> Engine:
    """An empty engine for ``cfg``: its window and its candidate index (wrapped by ``wrap``
    when given)."""
    from .dedup.index_redis import open_index

    params = Params(window=window_seconds(cfg))
    index = open_index(cfg.index, params.lsh_threshold)
    return Engine(params, index=index if wrap is None else wrap(index))


def restore_since(cfg: Config, end: datetime) -> datetime:
    """The earliest article an engine rebuilt at ``end`` (the fetch time) restores: two
    windows back.  A story open now has a version within the window, and its versions before
    that are its context (neighbours, idf); with one window only, GVC test through replay lost
    precision 1.000 -> 0.964 at each daily rebuild."""
    return end - timedelta(seconds=2 * window_seconds(cfg))

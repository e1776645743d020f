"""The store's ``run`` lock: one pass over the sources at a time.

``digest run`` holds it for its pass (``App.polling``) and the daemon for each poll round
(``digest.service.pollround``, which skips a round while a run holds it): two or three
concurrent ``digest run`` then give the stories of one (``digest.service.clustering``, "Several
processes on one store").  Several workers (``digest worker``) do not take it: they share the
clustering through the log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import StoreError
from .store.base import Store

log = logging.getLogger("digest.app")

#: The store lock held by one pass over the sources (``digest run``, a daemon round).
RUN_LOCK = "run"
#: How long ``digest run`` waits for another process's pass by default (seconds).
RUN_WAIT = 600.0


@contextmanager
def holding_run_lock(store: Store, wait: float = RUN_WAIT) -> Iterator[None]:
    """Hold ``store``'s ``run`` lock for a block.

    Another process's pass (a ``digest run``, a daemon round) is waited for, at most ``wait``
    seconds, with one line when the wait begins; then StoreError.
    """
    with waiting_for_lock(store, RUN_LOCK, wait, doing="reading the sources",
                          nothing="nothing was done (the next run will read them)"):
        yield


@contextmanager
def waiting_for_lock(store: Store, name: str, wait: float, *, doing: str, nothing: str) -> Iterator[None]:
    """Hold ``store``'s lock ``name`` for a block, another process's hold waited for at most
    ``wait`` seconds, with one line when the wait begins ("another digest process (pid 42) is
    ``doing``: waiting for it"); then StoreError saying ``nothing`` was done."""
    deadline = time.monotonic() + wait
    said = False
    while not store.acquire_lock(name):
        holder = store.lock_holder(name)
        if time.monotonic() >= deadline:
            raise StoreError(f"{store.url}: another digest process (pid {holder}) is still {doing} "
                             f"after {wait:g} s; {nothing}")
        if not said:
            log.info("another digest process (pid %s) is %s: waiting for it, at most %g s", holder, doing, wait)
            said = True
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
    try:
        yield
    finally:
        store.release_lock(name)

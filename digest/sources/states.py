"""The sources' stored states as ``digest sources`` lists them and ``digest sources --resume`` changes them.

How it works
------------
:func:`source_lines` joins the configuration and the store: one line per
configured source in the configuration's order (``not fetched yet`` before
its first poll, or its first since its ``url`` or ``path`` changed: the store's state of
the old one is cleared then; a disabled one says so), then the sources the store knows
that the configuration no longer lists (a source renamed: under which name its feed is read
now), then the outlines of OPML lists no
source reads.  :func:`resume` unpauses one source: a source that is not
paused is left as it was (its failures go on counting towards a pause, its
schedule stands).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime

from ..config import Config, SourceConfig
from ..errors import DigestError, without_secrets
from ..records import Entries
from ..store.base import SourceState, Store, local_time
from ..text.identity import channel_of
from ..text.shown import without_controls
from .tracking import held, slowed

log = logging.getLogger(__name__)


def source_lines(store: Store | None, cfg: Config) -> list[str]:
    """One line per source: its state, last success, failures, next poll (a server's wait while it
    holds, by the clock a run reads: one that passed is not named, the run reads the source).
    ``store`` None: no store yet, every configured source "not fetched yet"."""
    states = store.list_source_states() if store is not None else []
    stored = {st.name: st for st in states}
    at = cfg.now()  # the clock ``digest run`` reads a server's wait by (``clock:`` when set)
    out = []
    for src in cfg.sources:
        st = stored.pop(src.name, None)
        line = st.line(held=held(st, at), tz=cfg.tz) if st is not None else f"{src.name}: not fetched yet"
        if st is not None and slowed(st, at):  # ``digest run`` passes it over until then
            line += "; read less often: its last reads timed out"  # "N failures" said before
        if st is not None and st.location != (src.url or str(src.path)):  # its next read starts afresh
            line = f"{src.name}: not fetched yet (its {'url' if src.url else 'path'} changed)"
        out.append(line if src.enabled else f"{line}; disabled in the configuration")
    renamed = _renamed(states, cfg)
    for st in stored.values():  # not "next poll: due now": it is read no more
        last = local_time(st.last_ok_at, cfg.tz) if st.last_ok_at else "never"
        now = f"its feed is read as {renamed[st.name]!r} now" if st.name in renamed else "what was read from it stays"
        out.append(f"{st.name}: no longer in the configuration ({now}); last ok {last}")
    # a folder's file name in a note or an error: no line of its own, no terminal codes (its
    # spaces kept: the line's 'digest sources --resume' command is copied as it is)
    return [without_controls(line, lines=False) for line in out] + cfg.list_notes


def renamed_sources(store: Store, cfg: Config) -> dict[str, str]:
    """Each name a source's articles were stored under that no source has now, where the feed it
    read (its stored state's location) is one configured source's: that source's name now (a
    source renamed, its URL kept: the views show its earlier articles under its name now, not
    as a second outlet beside it in the same story).  Two sources on that feed name neither."""
    return _renamed(store.list_source_states(), cfg)


def _renamed(states: list[SourceState], cfg: Config) -> dict[str, str]:
    on: dict[str, list[str]] = {}
    for src in cfg.sources:
        on.setdefault(channel_of(src.url or str(src.path)), []).append(src.name)
    configured = {src.name for src in cfg.sources}
    out = {}
    for state in states:
        names = on.get(channel_of(state.location), []) if state.name not in configured else []
        if len(names) == 1:
            out[state.name] = names[0]
    return out


def resume(store: Store, name: str, now: datetime | None = None) -> tuple[bool, SourceState]:
    """Unpause a paused source and clear its failure count; it is due at once.  Returns
    whether it was paused, and its state; raises :class:`DigestError` for a name the store
    does not know."""
    state = store.get_source_state(name)
    if state is None:
        known = ", ".join(sorted(s.name for s in store.list_source_states())) or "none"
        raise DigestError(f"no source named {name!r} (known: {known})")
    if not state.paused:
        return False, state
    state.paused, state.paused_reason = False, None
    state.failures, state.first_failure_at = 0, None
    state.retry_after_until, state.next_poll_at = None, now or datetime.now(UTC)
    store.save_source_state(state)
    log.info("%s: resumed", name)
    return True, state


class FeedOwners:
    """Which source reads each feed, for :meth:`other`: the configured ``url:`` of every enabled
    source and the address each is read at instead (``permanent_url``: a move for good, a page's
    feed), by :func:`~digest.text.identity.channel_of`.  Built once a run or poll round (one
    read of the stored states: 80 ms for 5,000 sources, where a read per source moved made a run
    of 500 moved feeds 40 s longer) and told what each read learns (:meth:`learnt`)."""

    def __init__(self, cfg: Config, stored: Iterable[SourceState]) -> None:
        self.cfg = cfg
        self._order = {s.name: i for i, s in enumerate(cfg.sources) if s.enabled and s.url is not None}
        self._configured: dict[str, SourceConfig] = {}
        for src in cfg.sources:
            if src.name in self._order and src.url is not None:
                self._configured.setdefault(channel_of(src.url), src)
        self._at: dict[str, str] = {}  # source name -> the feed it is read at, not its url:
        self._on: dict[str, set[str]] = {}  # that feed -> the sources read at it so
        #: Paused sources (failing, or gone) read no feed: one that another leads to is that one's.
        self._paused: set[str] = set()
        for st in stored:
            self.learnt(st.name, st.permanent_url)
            if st.paused:
                self._paused.add(st.name)

    def learnt(self, name: str, url: str | None) -> None:
        """Source ``name`` is read at ``url`` (None: at its ``url:``): it was just read, so is
        not paused."""
        self._paused.discard(name)
        if (was := self._at.pop(name, None)) is not None:
            self._on[was].discard(name)
        if name in self._order and url:
            self._at[name] = key = channel_of(url)
            self._on.setdefault(key, set()).add(name)

    def other(self, src: SourceConfig, state: SourceState) -> SourceConfig | None:
        """The enabled source that reads already the feed ``src`` reaches at ``state.permanent_url``
        (its ``url:`` moved there for good, or a page that links it): its articles would be stored
        twice, each story listing the feed's items under both names ("same text as").  The source
        whose ``url:`` is that feed (any spelling, ``feed_key``) reads it; else, both reaching it
        so, the earlier in the file.  None when no other does.  A paused source reads nothing, so
        is no other (its feed's new items were dropped, "stored once, under" it, while it waited
        for a retry or ``--resume``).  (Stop 60 review: a page added with ``--no-check`` that
        links a feed configured already was read as a second outlet.)"""
        moved = state.permanent_url
        if not moved or src.url is None or (key := channel_of(moved)) == channel_of(src.url):
            return None
        first = self._configured.get(key)
        if first is not None and first.name != src.name and first.name not in self._paused:
            return first
        mine = self._order.get(src.name, len(self._order))
        earlier = [n for n in self._on.get(key, ()) if self._order[n] < mine and n not in self._paused]
        if not earlier:
            return None
        name = min(earlier, key=self._order.__getitem__)
        return next(s for s in self.cfg.sources if s.name == name)

    def read(self, src: SourceConfig, state: SourceState, entries: Entries) -> Entries:
        """What a read of ``src`` stores: ``entries``, learnt where ``src`` is read now
        (:meth:`learnt`); none where another source reads that feed (:meth:`other`), with the
        note saying so (:func:`read_twice_line`)."""
        self.learnt(src.name, state.permanent_url)
        other = self.other(src, state)
        if other is None:
            return entries
        kept = Entries()  # the feed's articles are the other source's
        kept.note = read_twice_line(src, state, other)
        return kept


def owners_for(owners: FeedOwners | None, cfg: Config, store: Store) -> FeedOwners:
    """``owners`` where it was built for ``cfg`` (this run's or round's), else a new table of
    the stored states (a poll outside a run or round, a configuration reloaded)."""
    if owners is not None and owners.cfg is cfg:
        return owners
    return FeedOwners(cfg, store.list_source_states())


def read_twice_line(src: SourceConfig, state: SourceState, other: SourceConfig) -> str:
    """The note of a read of ``src`` whose feed ``other`` reads already (:meth:`FeedOwners.other`):
    said once (``tracking``), then shown by ``digest sources`` while it lasts."""
    return (f"{without_secrets(src.url or '')} leads to {without_secrets(state.permanent_url or '')}, "
            f"which {other.name!r} reads too: its entries are stored once, under {other.name!r} "
            "(remove one of the two: digest remove NAME)")

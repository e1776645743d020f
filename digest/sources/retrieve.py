"""Reading one source: a local path (file or folder) or a URL through the guarded fetcher.

``retrieve`` is the first step of a poll (``App.poll``, the daemon's rounds, the
workers): the entries, and the per-file errors of a folder.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime

from ..config import Config, SourceConfig
from ..errors import FetchError, ParseError, SourceError, without_secrets
from ..records import Entries, FetchResult, plural
from ..runreport import RunReport
from ..store.base import SourceState

log = logging.getLogger(__name__)


def retrieve(
    src: SourceConfig,
    cfg: Config,
    state: SourceState,
    *,
    fetched: datetime,
    report: RunReport,
    prefetched: FetchResult | FetchError | None = None,
) -> tuple[Entries, list[SourceError]]:
    """Read one source: its entries, and the per-file errors of a folder.

    ``Entries.note`` says when a feed was cut off (for a folder: its first file
    cut off, and how many more were).

    ``prefetched``: the outcome of fetching the URL already (with ``state``'s
    URL and validators), used instead of fetching it again.

    Updates ``state`` (validators, permanent URL) but does not save it: the
    caller saves it after the entries are stored, so a crash in between
    re-reads the feed instead of losing it behind a 304.  ``state`` is the
    caller's copy: when the read or the ingest fails, the caller records the
    failure on the state as stored, keeping the validators of the last good
    read (a conditional server answers 304 to the validators of a body that did
    not parse, and the broken feed would count as read).
    """
    if src.path is not None:
        from .localfiles import named, read_path

        if not src.path.exists():  # a folder on a drive not mounted: the source fails, its articles stay
            raise SourceError(src.name, f"no such file or folder: {src.path} (a drive not mounted?)", kind="io")
        entries = Entries()
        errors: list[SourceError] = []
        notes: list[ParseError] = []
        for item in read_path(src.path, source=src.name, notes=notes, now=fetched):
            if isinstance(item, ParseError):
                errors.append(named(item, src.path, src.name))
            else:
                entries.append(item)
        if errors and not entries and src.path.is_file():
            raise errors[0]
        if notes:
            more = f" (and {plural(len(notes) - 1, 'more file')} with a note)" if len(notes) > 1 else ""
            entries.note = named(notes[0], src.path, src.name).problem + more
        return entries, errors
    from .discover import empty_note, read_feed
    from .fetch import fetch

    url = state.permanent_url or src.url
    assert url is not None
    if isinstance(prefetched, FetchError):
        raise prefetched
    result = prefetched or fetch(
        url, config=cfg.fetch, etag=state.etag, last_modified=state.last_modified, source=src.name
    )
    state.etag, state.last_modified = result.etag, result.last_modified
    follow(src, state, result.permanent_url)
    if result.not_modified or result.content is None:
        report.not_modified += 1
        return Entries(), []
    entries, feed = read_feed(result, source=src.name, config=cfg.fetch, fetched=fetched,
                              read_before=state.last_ok_at is not None)
    empty_note(entries, own_note(state.note))
    if feed is not None:  # a page that links its feed: the feed is what is polled from now on
        follow(src, state, feed.permanent_url or feed.url, page=True)
        state.etag, state.last_modified = feed.etag, feed.last_modified
    return entries, []


def follow(src: SourceConfig, state: SourceState, url: str | None, *, page: bool = False) -> None:
    """Read ``src`` at ``url`` from now on (a permanent redirect's target; with ``page``, the
    feed the configured page links), said in one line the first time: the configuration still
    names the old address (stop 46 review: a feed moved for good was followed without a word,
    ``digest sources`` alone naming where it is read)."""
    if not url or url == state.permanent_url:
        return
    if url != src.url:
        how = "links its feed" if page else "moved for good to"
        log.info("%s: %s %s %s: read there from now on (its url: in the configuration may say so)",
                 src.name, without_secrets(state.permanent_url or src.url or ""), how, without_secrets(url))
    state.permanent_url = url


#: How many unreadable files a note names; beyond, a fingerprint of them all tells a change.
UNREAD_NAMED = 5
_UNREAD = re.compile(r"(?:^|; )\d+ files? not read: .*$")


def own_note(note: str | None) -> str | None:
    """A source's note without its unread files' part: what the read itself noted (a feed cut
    off), as the tracker compares it from one read to the next."""
    return _UNREAD.sub("", note or "") or None


def note_unread(state: SourceState, stored: str | None, errors: list[SourceError]) -> bool:
    """Add to ``state.note`` the folder's files that could not be read ("2 files not read:
    empty.md: empty article; x.txt: binary data ..."): ``digest sources`` shows them, and a
    run says them once, not at every read while they stay as they are.  True when the stored
    note (``stored``) held the same files with the same problems: said before."""
    if not errors:
        return False
    problems = sorted(e.problem for e in errors)
    note = f"{plural(len(problems), 'file')} not read: " + "; ".join(problems[:UNREAD_NAMED])
    if len(problems) > UNREAD_NAMED:
        mark = hashlib.sha1("\n".join(problems).encode("utf-8", "surrogatepass")).hexdigest()[:8]
        note += f"; and {len(problems) - UNREAD_NAMED} more (#{mark})"
    state.note = "; ".join(n for n in (state.note, note) if n)
    return stored is not None and stored.endswith(note)

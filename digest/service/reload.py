"""A running daemon's (or archive server's) configuration, read again when its file changes.

Observations
------------
* Feeds are added while the daemon runs: by editing ``feeds.yaml``, or with
  ``digest import-opml``, which writes it.  A daemon that read the file once
  polled none of them until it was restarted, and said nothing.
* A file is often caught half-saved, or saved with a typo.  A daemon that
  stopped on it, or dropped its sources, would lose a night's news; one that
  says nothing leaves its user wondering why the new feed is not read.
* Some settings cannot change under a running daemon: the store it holds
  open (``database``, ``data_dir``), the shared index (``index``), and
  ``clock`` (which the daemon refuses at start).  The archive server (``digest serve``) takes
  an edited ``clock``: held as the one it started with, it refused that edit and every edit
  after it, each with an ERROR line (stop 54).
* Such a setting, once edited, stays edited in the file.  Refusing the whole
  file for it refused every later edit too: a feed added the next week was
  never read, each save one more ERROR line (stop 55).  The rest of the edit is
  taken; the setting keeps its running value until a restart, and each reload
  that finds it still changed says so.

How it works
------------
:class:`ConfigWatch` remembers the file's ``(mtime_ns, size, inode)`` when the
configuration was read; :meth:`ConfigWatch.changed` says when that differs (an
editor that saves by renaming gives a new inode), :meth:`ConfigWatch.read` reads
the file again: a :class:`Config`, or None with one error line naming the file
and the problem, after which the daemon runs on with what it had.  The same file
read again and found wanting is said once, not at every check.
:func:`needs_restart` names the settings the running daemon cannot take;
:func:`changes` says, in one line, what a new configuration changes (sources
added, removed, changed; which settings).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config, load_config
from ..errors import DigestError
from ..records import plural
from .polling import tick_seconds

if TYPE_CHECKING:
    from ..app import App

log = logging.getLogger(__name__)

__all__ = ["CONFIG_CHECK", "SERVED_FIXED", "ConfigWatch", "changes", "kept_fixed", "needs_restart", "reload", "rescheduled", "take"]

#: Seconds between looks at the configuration file's time and size (a changed file is read again).
CONFIG_CHECK = 2.0

#: Settings read once at start, as a user names them: changing them needs a restart.
FIXED = {"database_url": "the store (data_dir, database)", "index": "index", "clock": "clock"}
#: The fields of the configuration that make each of them (kept at their running values).
_FIELDS = {"database_url": ("data_dir", "database"), "index": ("index",), "clock": ("clock",)}
#: Those of the archive server (``digest serve``): it reads the time from the configuration it
#: has taken last, so an edited ``clock:`` is taken (its pages' "today").
SERVED_FIXED = {name: label for name, label in FIXED.items() if name != "clock"}
#: Settings whose change rebuilds the daemon's schedule (when to poll, when digests are due).
SCHEDULING = ("schedule", "digests", "timezone")
#: Top-level settings named in the one line a reload writes (sources are counted apart).
NAMED = ("clock", "output_dir", "timezone", "locale", "templates", "title", "excerpt_chars", "fetch", "dedup",
         "schedule", "email", "filters", "digests")


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


class ConfigWatch:
    """The configuration file of a running daemon, and whether it changed since it was read."""

    def __init__(self, cfg: Config) -> None:
        self.path = cfg.config_path
        self.stamp = None if self.path is None else _stamp(self.path)

    def changed(self) -> bool:
        """Whether the file differs from the one last read (a missing file is no change: an
        editor may be between its delete and its rename)."""
        if self.path is None:
            return False
        now = _stamp(self.path)
        return now is not None and now != self.stamp

    def read(self) -> Config | None:
        """The file read again, or None with one error line (the running configuration stays)."""
        assert self.path is not None
        self.stamp = _stamp(self.path)  # this version is read once, whatever it holds
        try:
            return load_config(self.path)
        except DigestError as exc:
            log.error("%s; digest runs on with the configuration it had", exc)
            return None


def needs_restart(old: Config, new: Config, fixed: dict[str, str] = FIXED) -> list[str]:
    """The settings of ``fixed`` that differ: those a running daemon (or server) cannot take."""
    return [label for name, label in fixed.items() if getattr(old, name) != getattr(new, name)]


def rescheduled(old: Config, new: Config) -> bool:
    """Whether the daemon's schedule (poll tick, digest times) must be made again."""
    return tick_seconds(old) != tick_seconds(new) or any(getattr(old, n) != getattr(new, n) for n in SCHEDULING)


def changes(old: Config, new: Config) -> str:
    """One line of what ``new`` changes: the sources added, removed and changed, by name,
    then the other settings that differ; "nothing that matters changed" when none does."""
    before = {s.name: s for s in old.sources}
    after = {s.name: s for s in new.sources}
    parts = []
    for label, names in (
        ("added", [n for n in after if n not in before]),
        ("removed", [n for n in before if n not in after]),
        ("changed", [n for n in after if n in before and after[n] != before[n]]),
    ):
        if names:
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            parts.append(f"{plural(len(names), 'source')} {label} ({shown})")
    settings = [name for name in NAMED if getattr(old, name) != getattr(new, name)]
    if settings:
        parts.append("settings: " + ", ".join(settings))
    return "; ".join(parts) or "nothing that matters changed"


def kept_fixed(old: Config, new: Config, fixed: dict[str, str] = FIXED) -> Config:
    """``new`` with the settings of ``fixed`` as ``old`` has them (those a restart takes)."""
    keep = {f: getattr(old, f) for name in fixed for f in _FIELDS[name]}
    return new.model_copy(update=keep)


def take(old: Config, watch: ConfigWatch, *, asked: bool = False, fixed: dict[str, str] = FIXED) -> Config | None:
    """The configuration read again if its file changed (``asked``: SIGHUP, whether or not it
    did), with one line of what changed; None when there is nothing to take: unchanged or
    unreadable.  A setting of ``fixed`` changed needs a restart: one warning says which, and
    the rest of the edit is taken with that setting as it runs (None when nothing else changed)."""
    if not (asked or watch.changed()):
        return None
    new = watch.read()
    if new is None:
        return None
    ran = {(s.name, s.path) for s in old.sources}
    paths = {s.name: s.path for s in new.sources}
    typos = [line for name, line in new.missing_paths if (name, paths.get(name)) not in ran]
    if typos:  # a new path that is not there (one that was is a drive not mounted: it fails alone)
        log.error("%s; digest runs on with the configuration it had", "\n".join(typos))
        return None
    refused = needs_restart(old, new, fixed)
    if refused:
        new = kept_fixed(old, new, fixed)
        said = changes(old, new)
        taken = new != old
        log.warning("%s: %s changed: restart digest to use it; until then it runs with the one it "
                    "had%s", watch.path, " and ".join(refused),
                    f", and takes the rest: {said}" if taken else " (nothing else changed)")
        return new if taken else None
    log.info("%s read again: %s", watch.path, changes(old, new))
    return new


def reload(app: App, watch: ConfigWatch, *, asked: bool = False) -> Config | None:
    """:func:`take` for the daemon's ``app``: its sources registered (a new one is due at
    once), its engine made again when ``dedup`` changed.  Returns the configuration it
    replaced, or None when nothing was taken; the caller makes again what it built from it."""
    old = app.cfg
    new = take(old, watch, asked=asked)
    if new is None:
        return None
    app.cfg = new
    if new.dedup != old.dedup:
        app.drop_engine()
    app.store.sync_sources([(s.name, s.url or str(s.path)) for s in new.sources if s.enabled])
    return old

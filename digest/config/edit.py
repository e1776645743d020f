"""Editing ``feeds.yaml`` in place: the sources ``digest import-opml`` and ``digest add`` add,
the one ``digest remove`` removes.

How it works
------------
The file is edited round-trip with ruamel.yaml: comments, key order, quoting
and the layout of what was there are kept; the new sources are appended to
``sources:`` in the file's own indentation (read from its first source).  The
new text is validated (:func:`digest.config.parse_config`) before anything
is written; the old file is kept as ``feeds.yaml.bak`` and the new one
replaces it atomically.

Special cases
-------------
* A feed whose URL is configured already (``digest.text.identity.feed_key``:
  ``http``/``https``, ``www.``, case, default port, fragment, trailing ``/``) is not added, and :class:`Added` says as
  which source; a name taken by another source gets its host, `` (coast.example)``, or where
  that is taken too `` (2)``, `` (3)``...
* Nothing added: the file is not touched and no backup is made.
* A name, URL or category that the configuration's loader (PyYAML, YAML 1.1) would read as
  another type written plain is quoted (``'Yes'``, ``'Off'``, ``'0b101'``): ruamel writes YAML
  1.2, where those are text, and a feed titled "Yes" could not be added (stop 41 review).
* :func:`remove_source` cuts the source's own lines out of the text (its item: the dash's
  line and those indented under it), so every other line stays byte for byte: a comment
  above it or after it (a section's heading, the next source's note) stays too.  The new
  text must list the same sources less that one, else nothing is written.  A source an OPML
  list or a flow sequence (``sources: [...]``) holds is not a block of lines of its own: the
  error says where to remove it.  The last source removed leaves ``sources: []``.
* A file written with CRLF line endings (Windows Notepad) keeps them, and a byte order mark
  stays: both are read as the text's (universal newlines; ``\ufeff`` before ``sources:``)
  and written back as the file had them (stop 41 review: ``digest remove`` rewrote every
  line of a CRLF file, and could not remove the last source of a file with a BOM).
* A ``feeds.yaml`` that is a symlink is written where it points, the link kept; the backup
  is written atomically too, with the file's permissions, and a file or backup that cannot
  be written (a full disk, a read-only folder) is one error line, both left as they were
  (stop 47 review: the link was replaced by a copy; a full disk left an empty backup over
  the last good one, and a traceback).
* The edit, from reading the file to writing it, holds an ``flock`` on the file's folder:
  two ``digest add`` (or an add and a remove) at once are done one after the other (stop
  47 review: each replaced the file with its own edit, and the others' sources were lost).
"""

from __future__ import annotations

import copy
import fcntl
import io
import logging
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from ..errors import ConfigError
from ..output.files import atomic_write
from ..text.identity import feed_key
from .model import Config
from .reading import load_config, parse_config, read_plain

__all__ = ["Added", "add_sources", "backup_path", "configured_feeds", "remove_source", "write_over"]

log = logging.getLogger(__name__)


@dataclass
class Added:
    """What :func:`add_sources` did: the names added, and one line per feed not added."""

    added: list[str] = field(default_factory=list)
    #: The feeds added, as given (``{"name", "url"[, "category"]}``), in the order of ``added``:
    #: what a caller says of them is of these, not of a feed of the same name there already.
    feeds: list[dict[str, Any]] = field(default_factory=list)
    #: Renamed on the way in: (the feed's name, the name it was given).
    renamed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: Feeds configured already under the same name (or the ``name (2)`` it was given): counted,
    #: not said one by one.
    present: int = 0
    #: Feeds configured already under another name (a line each in ``skipped``).
    elsewhere: int = 0
    #: Feeds of the list that are one added from it already (their addresses read to the same
    #: feed: ``import-opml --check``; a line each in ``skipped``).
    again: int = 0
    backup: Path | None = None


def configured_feeds(cfg: Config, read_at: Mapping[str, str] | None = None) -> dict[str, str]:
    """The feeds ``cfg`` reads, by :func:`~digest.text.identity.feed_key`: the source reading each;
    with ``read_at`` (name -> address), also where a source's feed is read instead of its ``url:``
    (stop 60 review: an OPML export, which lists a moved feed where it moved, imported again
    added it a second time, as did ``digest add`` of its new address)."""
    named = {s.name for s in cfg.sources if s.url}
    moved = {feed_key(url): name for name, url in (read_at or {}).items() if name in named}
    return {**moved, **{feed_key(s.url): s.name for s in cfg.sources if s.url}}


def backup_path(cfg_path: Path) -> Path:
    return cfg_path.with_name(cfg_path.name + ".bak")


def _endings(cfg_path: Path) -> str:
    """The line ending ``cfg_path`` is written with: CRLF where its first line ends so."""
    raw = cfg_path.read_bytes()
    first = raw.find(b"\n")
    return "\r\n" if first > 0 and raw[first - 1 : first] == b"\r" else "\n"


def _write(cfg_path: Path, text: str, *, bom: bool) -> None:
    """Write ``text`` (newlines ``\\n``) over ``cfg_path`` in the file's own line endings and
    byte order mark, atomically (a unique temporary name: concurrent edits do not race)."""
    ending = _endings(cfg_path)
    if ending != "\n":
        text = text.replace("\r\n", "\n").replace("\n", ending)
    if bom and not text.startswith("\ufeff"):
        text = "\ufeff" + text
    atomic_write(cfg_path, text)


#: What YAML 1.1 (the configuration's loader) reads as a line break besides ``\n`` and ``\r``:
#: ruamel (YAML 1.2) writes them as they are inside single quotes, where they are folded.
_YAML11_BREAKS = re.compile("[\u0085\u2028\u2029]")


def _text(value: str) -> str:
    """``value`` to write as text: quoted where the configuration's loader would read it
    written plain as something else (a YAML 1.1 boolean, number or tag); one with a line break
    or a control character is ruamel's to quote (double quotes: single ones fold a line break),
    but for NEL and U+2028/U+2029, which ruamel puts in single quotes as they are and YAML 1.1
    reads as a line break folded into a space: those are escaped in double quotes (``\\N``)."""
    if _YAML11_BREAKS.search(value):
        return DoubleQuotedScalarString(value)
    return value if not value.isprintable() or read_plain(value) == value else SingleQuotedScalarString(value)


def _indents(text: str) -> tuple[int, int, int]:
    """(mapping, sequence, offset) as ruamel names them, read from the file's own layout."""
    mapping = 2
    for m in re.finditer(r"^[A-Za-z_][\w-]*:[ \t]*(?:#.*)?\n((?:[ \t]*(?:#.*)?\n)*)( +)[A-Za-z_\"']", text, re.M):
        mapping = len(m.group(2))
        break
    item = re.search(r"^sources:[ \t]*(?:#.*)?\n(?:[ \t]*(?:#.*)?\n)*( *)-( +)\S", text, re.M)
    if item is None:
        return mapping, mapping + 2, mapping
    offset, gap = len(item.group(1)), len(item.group(2))
    return mapping, offset + 1 + gap, offset


def _yaml(text: str) -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a long line
    mapping, sequence, offset = _indents(text)
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    return y


def _trailing(seq: Any) -> Any:
    """Take the comments and blank lines after the last source, to put them after the new last.

    ruamel keeps them on the last source's last key, in one token with that
    line's own end-of-line comment (which stays where it is).
    """
    if not isinstance(seq, CommentedSeq) or not seq or not isinstance(seq[-1], CommentedMap) or not seq[-1]:
        return None
    last = seq[-1]
    key = next(reversed(last))
    entry = last.ca.items.get(key)
    if not entry or len(entry) < 3 or entry[2] is None:
        return None
    token = entry[2]
    eol, _, rest = token.value.partition("\n")
    if not rest:
        return None
    moved = copy.copy(token)
    moved.value = "\n" + rest
    if eol.strip():
        token.value = eol + "\n"
    else:
        entry[2] = None
    return moved


@contextmanager
def _editing(cfg_path: Path) -> Iterator[None]:
    """Hold the configuration's edit lock (an ``flock`` on its folder) from reading it to
    writing it: two ``digest add`` at once each add their source to what the other wrote."""
    try:
        fd = os.open(cfg_path.resolve().parent, os.O_RDONLY)
    except OSError:  # a folder we cannot open: writing there fails too, and says so
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:  # a file system without locks (ENOLCK, ENOSYS: some NFS and FUSE): as before
            log.warning("%s: its folder cannot be locked: another edit at this moment could be lost", cfg_path)
        yield
    finally:
        os.close(fd)  # drops the lock


def write_over(cfg_path: Path, write: Callable[[Path], None]) -> Path:
    """Keep the old file as ``FILE.bak`` (atomically, with its permissions: a password's 0600
    too), then ``write`` the new one where a symlink points (the link stays); the backup's path.
    OSError when either cannot be written: the file is as it was, and so is an older backup."""
    backup = backup_path(cfg_path)
    target = cfg_path.resolve()
    atomic_write(backup, target.read_bytes(), mode=stat.S_IMODE(target.stat().st_mode))
    write(target)
    return backup


def _replace(cfg_path: Path, text: str, *, bom: bool) -> Path:
    """:func:`write_over` with ``text``; ConfigError when it cannot be written (a full disk, a
    read-only folder)."""
    try:
        return write_over(cfg_path, lambda target: _write(target, text, bom=bom))
    except OSError as exc:
        raise ConfigError(f"{cfg_path}: cannot be written ({exc.strerror or exc}): "
                          "nothing was changed") from None


def _same_name(configured: str, name: str) -> bool:
    """Whether ``configured`` is ``name``, or the ``name (host)`` or ``name (2)`` an earlier
    import gave it (:func:`_free_name`)."""
    return configured == name or re.fullmatch(re.escape(name) + r" \([^()]+\)", configured) is not None


def _free_name(name: str, url: str, names: set[str]) -> str:
    """``name``, or where another source has it, ``name (host)``: a reader's export names many
    feeds "News", "Blog" or "Comments", and "News (2)" said nothing of which outlet it was in
    every digest (stop 55); where that is taken too, ``name (2)``, ``name (3)``..."""
    if name not in names:
        return name
    try:
        host = (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:  # a bracketed host left open: numbered
        host = ""
    if host and host not in name and (named := f"{name} ({host})") not in names:  # not "example.com (example.com)"
        return named
    n = 2
    while f"{name} ({n})" in names:
        n += 1
    return f"{name} ({n})"


def add_sources(cfg_path: Path, feeds: list[dict[str, Any]], read_at: Mapping[str, str] | None = None) -> Added:
    """Append ``feeds`` (``{"name", "url"[, "category"]}``) to a configuration file's sources.
    ``read_at``: source name -> the address its feed is read at when not its ``url:`` (a move for
    good, a page's feed: the store's, ``digest.store.peek.read_addresses``): a feed there is the
    source's, not added again."""
    with _editing(cfg_path):
        return _add_sources(cfg_path, feeds, read_at or {})


def _add_sources(cfg_path: Path, feeds: list[dict[str, Any]], read_at: Mapping[str, str]) -> Added:
    cfg = load_config(cfg_path)  # a broken file is reported as it is, before any change
    known = configured_feeds(cfg, read_at)
    names = {s.name for s in cfg.sources}
    result = Added()
    entries: list[CommentedMap] = []
    listed: dict[str, str] = {}  # the feeds of ``feeds`` seen, by key: the source reading each
    there = set(known)  # configured before: not added
    first: dict[str, str] = {}  # the name the list gave each of its feeds first, by key
    for feed in feeds:
        key = feed_key(feed["url"])
        if key in listed:  # counted once; added once, or there already (stop 62: it said "added once")
            result.again += 1
            done = f"there already (as {listed[key]!r})" if key in there else "added once"
            result.skipped.append(f"{feed['name']}: the same feed as {first[key]!r} in the list (both read at {feed['url']}): "
                                  f"{done}")
            continue
        first[key] = feed["name"]
        if key in known:
            listed[key] = known[key]
            if _same_name(known[key], feed["name"]):  # a second import of the same list: counted
                result.present += 1
            else:
                result.elsewhere += 1
                result.skipped.append(f"{feed['name']}: already there (as {known[key]!r}: {feed['url']})")
            continue
        name = _free_name(feed["name"], feed["url"], names)
        if name != feed["name"]:
            result.renamed.append((feed["name"], name))
        names.add(name)
        known[key] = listed[key] = name
        entry = CommentedMap(name=_text(name), url=_text(feed["url"]))
        if feed.get("category"):
            entry["category"] = _text(feed["category"])
        if feed.get("site"):
            entry["site"] = _text(feed["site"])
        entries.append(entry)
        result.added.append(name)
        result.feeds.append(feed)
    if not result.added:  # the file is not read round-trip (3 s for 5,000 sources)
        return result
    text = cfg_path.read_text(encoding="utf-8")
    y = _yaml(text)
    doc = y.load(text)
    prefix = ""
    if doc is None:  # empty, or comments only: those are kept above what is added
        doc, prefix = CommentedMap(), text if not text or text.endswith("\n") else text + "\n"
    if not isinstance(doc, CommentedMap):
        raise ConfigError(f"{cfg_path}: expected a mapping at the top level")
    seq = doc.get("sources")
    if seq is None:
        seq = doc["sources"] = CommentedSeq()
    tail = _trailing(seq)
    for entry in entries:
        seq.append(entry)
    if tail is not None:  # what followed the last source (comments, blank lines) follows it still
        seq[-1].ca.items[next(reversed(seq[-1]))] = [None, None, tail, None]
    out = io.StringIO()
    y.dump(doc, out)
    new_text = prefix + out.getvalue()
    parse_config(new_text, path=cfg_path, base=cfg_path.resolve().parent)
    result.backup = _replace(cfg_path, new_text, bom=text.startswith("\ufeff"))
    return result


#: How many sources an error of ``digest remove`` lists all of; a longer list (an import of
#: hundreds) is named by the closest few alone: a display limit, not a tuned figure.
LIST_ALL = 12


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def _every_name(cfg: Config, also: Iterable[str | None] = ()) -> list[str]:
    """The names of ``also`` (the file's entries besides the sources: an OPML list's own entry)
    and of the configured sources, each once, in order."""
    return list(dict.fromkeys([*(n for n in also if isinstance(n, str)), *(s.name for s in cfg.sources)]))


def sources_named(cfg: Config, given: str, also: Iterable[str | None] = ()) -> list[str]:
    """The configured sources ``given`` names: its name; else its name in other capitals or
    spacing ("old gazette"); else the sources whose ``url`` reads the same feed (``feed_key``:
    the URL an export or the old reader shows).  More than one where two names differ only in
    capitals or spacing ("News", "news"), or two sources read the same feed; none where none
    does.  After an import of many feeds the names are a reader's titles, not typed by the
    operator.  ``also``: as for :func:`_every_name`."""
    names = _every_name(cfg, also)
    if given in names:
        return [given]
    folded = [n for n in names if _fold(n) == _fold(given)]
    if folded:
        return folded
    if given.strip().lower().startswith(("http://", "https://")):
        key = feed_key(given.strip())
        return [s.name for s in cfg.sources if s.url and feed_key(s.url) == key]
    return []


def _no_such_source(cfg_path: Path, given: str, names: list[str]) -> ConfigError:
    """No source is named ``given``: the closest names, and all of them only where few (an
    import of 200 feeds made the line a wall of 200 names)."""
    import difflib

    # each folded name once: "News" and "news" were each named twice ("'News' or 'news' or 'News'")
    close = difflib.get_close_matches(_fold(given), list(dict.fromkeys(map(_fold, names))), n=3, cutoff=0.6)
    near = [n for c in close for n in names if _fold(n) == c][:3]
    hint = f"; did you mean {' or '.join(map(repr, near))}?" if near else ""
    if len(names) <= LIST_ALL:
        listed = f" (the sources: {', '.join(map(repr, names)) or 'none'})"
    else:
        listed = f" ({len(names)} sources: 'digest sources' lists them; a source's feed URL names it too)"
    return ConfigError(f"{cfg_path}: no source is named {given!r}{hint}{listed}")


def remove_source(cfg_path: Path, name: str) -> tuple[str, Path]:
    """Remove the source ``name`` (a feed, a path, or a list of feeds; :func:`sources_named`:
    in other capitals, or by its feed's URL) from a configuration file's ``sources:``; return
    the name removed and the backup of the old file (see the module docstring).  ConfigError
    when no source has that name or its lines cannot be cut out alone."""
    with _editing(cfg_path):
        return _remove_source(cfg_path, name)


def _remove_source(cfg_path: Path, given: str) -> tuple[str, Path]:
    cfg = load_config(cfg_path)  # a broken file is reported as it is, before any change
    text = cfg_path.read_text(encoding="utf-8")
    doc = _yaml(text).load(text)
    seq = _sources(doc)
    listed = _names(seq)
    named = sources_named(cfg, given, listed)
    if len(named) > 1:  # not "no source is named"
        raise ConfigError(f"{cfg_path}: {given!r} names {len(named)} sources, {' and '.join(map(repr, named))}: "
                          "give the one to remove by its name as written")
    if not named:
        raise _no_such_source(cfg_path, given, _every_name(cfg, listed))
    name = named[0]
    if name not in listed:
        raise ConfigError(f"{cfg_path}: {name!r} is read from a list of feeds a source names (an OPML file): "
                          "remove it there, or remove that source")
    lines = text.splitlines(keepends=True)
    line, col = seq.lc.item(listed.index(name))
    head = lines[line][:col].rstrip()
    if not head.endswith("-") or head[:-1].strip():
        raise ConfigError(f"{cfg_path}:{line + 1}: {name!r} is not a source of its own lines (a flow list, "
                          "sources: [...]): remove it by hand")
    indent = len(head) - 1
    end = stop = line + 1
    while stop < len(lines):  # its lines: those indented under its dash (blank and comment lines
        body = lines[stop]  # after its last are another's, or the section's)
        stop += 1
        if body.strip() and not body.lstrip().startswith("#"):
            if len(body) - len(body.lstrip()) <= indent:
                break
            end = stop
    kept = lines[:line] + lines[end:]
    if len(seq) == 1:  # "sources:" with nothing under it is null, not a list
        at = doc.lc.key("sources")[0]
        kept[at] = re.sub(r"^(\ufeff?[ \t]*sources:)", r"\1 []", kept[at], count=1)
    new_text = "".join(kept)
    parse_config(new_text, path=cfg_path, base=cfg_path.resolve().parent)
    if _names(_sources(_yaml(new_text).load(new_text))) != [n for n in listed if n != name]:
        raise ConfigError(f"{cfg_path}: {name!r} could not be removed alone: remove it by hand")
    return name, _replace(cfg_path, new_text, bom=False)  # a BOM is kept in the text's first line


def _sources(doc: Any) -> CommentedSeq:
    """The ``sources:`` of a configuration as ruamel read it (with its lines)."""
    seq = doc.get("sources") if isinstance(doc, CommentedMap) else None
    return seq if isinstance(seq, CommentedSeq) else CommentedSeq()


def _names(seq: CommentedSeq) -> list[str | None]:
    return [item.get("name") if isinstance(item, CommentedMap) else None for item in seq]


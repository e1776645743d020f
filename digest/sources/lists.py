"""OPML lists as sources: a ``path:`` source holding a subscription list stands for its feeds.

Observations
------------
* Readers keep their subscriptions as an OPML list, and a list is what a
  user points digest at first: ``{name: Blogroll, path: subscriptions.opml}``.
  Read as a file, it is no feed and no article (it was stored as an empty
  article titled with the list's head).
* A list is configuration, not news: it names feeds and carries no entries.
  Each feed it names needs what any source has (its own fetch state,
  validators, failures, pause, poll interval, worker), so each becomes a
  source of its own, and nothing downstream knows lists exist.

How it works
------------
:func:`expand_lists` runs when the configuration is loaded
(``digest.config.parse_config``), after paths are resolved: a source whose
``path`` is a file starting as an OPML document (``opml.is_opml``, whatever
its extension) is replaced, where it stands, by one source per feed the list
names (``opml.read_opml_report``).  Each is named by the feed's title, reads
its URL, and takes the list source's ``priority``, ``interval``,
``enabled`` and ``full_text``; its ``category`` is the list source's when
set, else the list's folders.

Special cases
-------------
* A feed whose URL another source reads already (``identity.feed_key``) is left
  out: the source written in the configuration wins.
* A name already taken becomes ``Name (List)``, then ``Name (List) 2``.
* A list that cannot be read, is not valid OPML or names no feed is a
  configuration error naming the source; an outline no source reads (no URL,
  not http(s), listed twice, read by another source) is one line of
  ``Config.list_notes``, which ``digest sources`` prints.
* A list is read at each load: an edited list takes effect at the next
  command, or when the daemon restarts.  A list by URL is not expanded (the
  configuration never fetches): ``digest.sources.discover`` says to add its
  feeds with ``digest import-opml URL``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..config.model import SourceConfig
from ..errors import ParseError
from ..text.identity import feed_key
from .localfiles import read_capped
from .opml import is_opml, read_opml_report

log = logging.getLogger(__name__)

#: Bytes of a file read to tell a list from anything else; a list is read whole up to MAX_LIST.
_SNIFF = 4096
#: Largest list read (a reader's export of thousands of feeds is well under a megabyte).
MAX_LIST = 4 * 1024 * 1024


def is_list(path: Path) -> bool:
    """Whether ``path`` is a regular file that starts as an OPML document."""
    try:
        if not path.is_file():
            return False
        with path.open("rb") as fh:
            return is_opml(fh.read(_SNIFF))
    except OSError:
        return False


def expand_lists(
    sources: list[SourceConfig],
) -> tuple[list[SourceConfig], list[tuple[int, str]], list[str]]:
    """``sources`` with each OPML list source replaced by its feeds; the problems (``(index of
    the list source, message)``); and one line per outline no source reads, saying why."""
    if not any(s.path is not None and is_list(s.path) for s in sources):
        return sources, [], []
    taken_urls = {feed_key(s.url) for s in sources if s.url}
    taken_names = {s.name for s in sources}
    tried: dict[str, int] = {}
    out: list[SourceConfig] = []
    problems: list[tuple[int, str]] = []
    notes: list[str] = []
    for i, src in enumerate(sources):
        if src.path is None or not is_list(src.path):
            out.append(src)
            continue
        try:
            feeds, skipped = read_opml_report(read_capped(src.path, MAX_LIST), source=str(src.path))
        except ParseError as exc:
            problems.append((i, f"{src.path}: {exc.problem}"))
            continue
        notes += [f"{src.name}: {src.path.name}: not read: {line}" for line in skipped]
        added = 0
        for feed in feeds:
            key = feed_key(feed["url"])
            if key in taken_urls:
                notes.append(f"{src.name}: {src.path.name}: not read: {feed['name']}: another source reads {feed['url']}")
                continue
            taken_urls.add(key)
            name = _free_name(str(feed["name"]), src.name, taken_names, tried)
            taken_names.add(name)
            out.append(SourceConfig(
                name=name, url=feed["url"], priority=src.priority, interval=src.interval,
                enabled=src.enabled, full_text=src.full_text,
                category=src.category or feed.get("category"), site=feed.get("site"),
            ))
            added += 1
        if not feeds:
            problems.append((i, f"{src.path}: an OPML list that names no feed (no outline with an http(s) xmlUrl)"))
    for line in notes:
        log.debug("%s", line)
    return out, problems, notes


def _free_name(name: str, list_name: str, taken: set[str], tried: dict[str, int]) -> str:
    """``name``, or ``name (list_name)``, then numbered, whichever is not taken.  ``tried``
    keeps each numbered name's next number (names are only ever added to ``taken``): counting
    from 2 each time, a list of 40,000 outlines of one title took 160 s to load (stop 42)."""
    if name not in taken:
        return name
    base = f"{name} ({list_name})"
    candidate, n = base, tried.get(base, 2)
    while candidate in taken:
        candidate, n = f"{base} {n}", n + 1
    tried[base] = n
    return candidate

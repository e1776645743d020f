"""The commands that change which sources the configuration lists: ``digest add``, ``digest remove``.

Thin layers over the library: ``digest.sources.probe`` reads a feed once, ``digest.config.edit``
changes ``feeds.yaml`` round-trip (its comments, order and spelling kept, the old file kept as
``FILE.bak``).

Special cases
-------------
* A feed's title is its source's name without the characters nobody sees or types: bidi
  controls (a title's U+202E turned the rest of each line that names the source around, in
  ``digest sources`` and the logs), zero-width spaces, byte order marks, soft hyphens.  A
  title with nothing visible left names no source: its host does (stop 41 review: a feed
  titled with a zero-width space was added as the source ``'\u200b'``).
* A blank ``--name`` is refused before anything is fetched (it was refused after, as
  ``sources[N].name`` at a line of a file never written).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import DigestError
from ..sources.fields import visible_name
from ..text.identity import feed_key


def _site(url: str) -> str:
    """A source name from a URL when the feed has no title: its host, without ``www.``."""
    return (urlsplit(url).hostname or url).removeprefix("www.")


def cmd_add(args: argparse.Namespace) -> int:
    from ..config import load_config
    from ..config.edit import add_sources, configured_feeds
    from ..sources.probe import Probe, probe

    cfg = load_config(args.config)  # a broken file is reported before anything is fetched
    if args.name is not None and not args.name.strip():
        raise DigestError("add: --name is blank (leave it out to name the source by the feed's title)")
    url = args.url.strip()
    if urlsplit(url).scheme.lower() not in ("http", "https") or not urlsplit(url).hostname:
        raise DigestError(f"add: {url!r} is not an http(s) URL (a local file or folder is a source's 'path:' "
                          f"in {args.config})")
    there = configured_feeds(cfg).get(feed_key(url))
    if there is not None:  # asked nothing of its server
        print(f"{args.config}: not added: {url} is there already (as {there!r})")
        return 0
    found: Probe | None = None
    if not args.no_check:
        found = probe(url, cfg.fetch, now=cfg.now(), source=args.name or "add")
    feed_url = found.url if found is not None else url
    name = " ".join((args.name or visible_name(found.title if found is not None else "") or _site(feed_url)).split())
    done = add_sources(Path(args.config), [{"name": name, "url": feed_url, "category": args.category}])
    for line in done.skipped:
        print(f"{args.config}: not added: {line}")
    if done.present:  # the page's feed, found by reading it, is configured under that name
        print(f"{args.config}: not added: {feed_url} is there already (as {name!r})")
    if not done.added:
        return 0
    added = done.added[0]
    said = [f"{found.entries} {'entry' if found.entries == 1 else 'entries'}" if found is not None else "not read: --no-check"]
    if found is not None and found.newest is not None:
        said[0] += f", the newest {found.newest.astimezone(cfg.tz):%Y-%m-%d}"
    if found is not None and found.page is not None:
        said.append(f"found through the page {found.page}")
    if found is not None and not found.entries:
        said.append("it lists none now")
    kept = f"; the old file is {done.backup}" if done.backup else ""
    print(f"{args.config}: added {added!r}: {feed_url} ({', '.join(said)}){kept}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from ..config.edit import remove_source

    backup = remove_source(Path(args.config), args.name)
    print(f"{args.config}: removed {args.name!r}: it is not read from the next run on; what was read from it "
          f"stays in the archive (the old file is {backup})")
    return 0

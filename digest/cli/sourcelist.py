"""The commands that change which sources the configuration lists: ``digest add``, ``digest remove``,
``digest import-opml``, and ``digest export-opml``, which writes the list for another reader.

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
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..errors import DigestError, FetchError, without_password
from ..records import plural
from ..sources.fields import visible_name
from ..sources.naming import site_name
from ..text.identity import feed_key

if TYPE_CHECKING:
    from ..config import Config
    from ..sources.opml import OpmlReport


def typed_url(text: str, config: str) -> tuple[str, str | None]:
    """The URL ``digest add`` reads for ``text`` as typed, and ``text`` when it was a bare
    ``host/path`` read as ``https://host/path`` (as feed readers take it; None: typed as an
    http(s) URL).  A bare text is a host and a path: the host has a dot, or is ``localhost``
    or ``[IPv6]``, and may have a port.  A file or folder that exists (from here, or from the
    configuration's folder) is no URL: refused, as anything else, with what to do."""
    parts = urlsplit(text)
    if parts.scheme.lower() in ("http", "https") and parts.hostname:
        return text, None
    refused = DigestError(f"add: {text!r} is not an http(s) URL (a local file or folder is a source's 'path:' "
                          f"in {config})")
    if "://" in text or text.startswith(("/", ".", "~")) or any(c.isspace() for c in text) or _exists(text, config):
        raise refused
    guess = urlsplit("https://" + text)
    try:
        _ = guess.port  # a port that is no number raises
    except ValueError:
        raise refused from None
    host = guess.hostname or ""
    if guess.username is not None or not ("." in host or host == "localhost" or guess.netloc.startswith("[")):
        raise refused
    return "https://" + text, text


def _exists(text: str, config: str) -> bool:
    """Whether ``text`` names a file or folder here or beside the configuration."""
    try:
        return Path(text).exists() or (Path(config).parent / text).exists()
    except (OSError, ValueError):  # a name too long for the system, a NUL
        return False


def cmd_add(args: argparse.Namespace) -> int:
    from ..config import load_config
    from ..config.edit import add_sources, configured_feeds
    from ..sources.probe import Probe, probe

    cfg = load_config(args.config)  # a broken file is reported before anything is fetched
    if args.name is not None and not args.name.strip():
        raise DigestError("add: --name is blank (leave it out to name the source by the feed's title)")
    url, bare = typed_url(args.url.strip(), args.config)
    moved = _read_elsewhere(cfg, quiet=True)
    there = configured_feeds(cfg, moved).get(feed_key(url))
    if there is not None:  # asked nothing of its server
        print(f"{args.config}: not added: {url} is there already (as {there!r})")
        return 0
    found: Probe | None = None
    if not args.no_check:
        try:
            found = probe(url, cfg.fetch, now=cfg.now(), source=args.name or "add")
        except FetchError as exc:
            if bare is None:
                raise
            hint = f"; if the server has no TLS, add http://{bare}" if exc.kind == "tls" else ""
            raise DigestError(f"{exc} (no scheme was given: tried {url}{hint})") from None
    feed_url = found.url if found is not None else url
    name = " ".join((args.name or visible_name(found.title if found is not None else "") or site_name(feed_url)).split())
    done = add_sources(Path(args.config), [{"name": name, "url": feed_url, "category": args.category}], moved)
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
    if bare is not None:
        said.append(f"https:// assumed for {bare}")
    kept = f"; the old file is {done.backup}" if done.backup else ""
    print(f"{args.config}: added {added!r}: {feed_url} ({', '.join(said)}){kept}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from ..config.edit import remove_source

    name, backup = remove_source(Path(args.config), " ".join(args.name))  # its words, given unquoted
    print(f"{args.config}: removed {name!r}: it is not read from the next run on; what was read from it "
          f"stays in the archive (the old file is {backup})")
    return 0


def cmd_import_opml(args: argparse.Namespace) -> int:
    from ..config import load_config
    from ..config.edit import add_sources, configured_feeds
    from ..sources.fetch import read_list
    from ..sources.opml import categories_line, listed_again, opml_report, passed_line

    path = args.file
    cfg = load_config(args.config)
    report = opml_report(read_list(path, cfg.fetch), source=str(path))
    feeds, unusable = report.feeds, report.skipped
    if not feeds:  # an empty export, or one of saved articles: one line, the configuration untouched
        return _no_feeds(path, report)
    failed: list[str] = []
    moved = _read_elsewhere(cfg, quiet=True)
    known = configured_feeds(cfg, moved)
    for at, key, name, category, where in report.again:  # there already: not "added once"
        if key in known:
            unusable[at] = listed_again(name, category, where, known[key])
    if args.check:  # as ``digest add`` reads its one: those that cannot be read are not added
        from ..sources.probe import probe_many

        new = [f for f in feeds if feed_key(f["url"]) not in known]  # said "already there" below
        read = probe_many([(f["name"], f["url"]) for f in new], cfg.fetch, now=cfg.now())
        good = {id(f): r for f, r in zip(new, read, strict=True) if not isinstance(r, Exception)}
        failed = [str(r) for r in read if isinstance(r, Exception)]  # "Name: HTTP 404 ... from URL"
        unread = {feed_key(f["url"]) for f, r in zip(new, read, strict=True) if isinstance(r, Exception)}
        for at, key, name, category, where in report.again:  # not "added once": not added at all
            if key in unread:
                unusable[at] = listed_again(name, category, where, unread=True)
        feeds = [f if id(f) not in good else {**f, "url": good[id(f)].url} for f in feeds
                 if feed_key(f["url"]) in known or id(f) in good]
    done = add_sources(Path(args.config), feeds, moved)
    for line in [*unusable, *failed, *done.skipped]:
        print(f"{path}: not added: {line}")
    if report.passed:  # not feeds: an empty folder, TT-RSS's settings (~100 of them)
        print(f"{path}: {passed_line(report.passed)}")
    for old, new_name in done.renamed:
        print(f"{path}: {old!r} added as {new_name!r} (the name was taken)")
    # a feed listed again (in another folder: Feedly, Inoreader; at another address read to it:
    # --check) is one feed of the list, said so in the count (its line says which, stop 61)
    again, there = report.repeated + done.again, done.present + done.elsewhere
    kept = [f"{again} {'was' if again == 1 else 'were'} the same feed as another in the list"] if again else []
    if there:  # a second import of the same list: a count (those under another name: a line each too)
        kept.append(f"{there} {'was' if there == 1 else 'were'} there already")
    kept += [f"the old file is {done.backup}"] if done.backup else []
    listed = len(feeds) + len(unusable) - report.repeated + len(failed) - done.again
    print(f"{args.config}: added {len(done.added)} of {listed} feeds from "
          f"{path}" + (f" ({'; '.join(kept)})" if kept else ""))
    cats = sorted({f["category"] for f in done.feeds if f.get("category")})  # of feeds added, not one named alike
    line = categories_line(cats, {s.category for s in cfg.sources if s.category})
    if line and not cfg.digests:  # without ``digests:`` the categories are the digest's sections
        print(f"{args.config}: {line}")
    if done.added:  # a NAS, a router, an RSS bridge at home: said now, not as a failure per run
        from ..sources.addresses import AddressPolicy, refused_hosts

        hosts = refused_hosts([f["url"] for f in done.feeds], AddressPolicy.from_config(cfg.fetch))  # those added
        if hosts:
            shown = ", ".join(hosts[:5]) + (f" and {len(hosts) - 5} more" if len(hosts) > 5 else "")
            print(f"{args.config}: feeds on your own network ({shown}) are refused until 'fetch: allow_hosts:' "
                  f"lists their hosts (a guard against feeds that point at private services): "
                  f"fetch: {{allow_hosts: [{', '.join(repr(h) for h in hosts[:5])}]}}")  # quoted: '::1' reads
    if done.added and not args.check:  # a list may hold hundreds: read only when asked
        print(f"{args.config}: not read yet: the next 'digest run' reads them and names each that fails "
              "('digest remove NAME' drops one; 'digest import-opml --check' reads each first)")
    return 0


def _no_feeds(path: str, report: OpmlReport) -> int:
    """Say that the list at ``path`` names no feed, and why: exit status 1.  Links to pages and
    nothing else (an export of saved articles: Feedly's "Saved For Later", bookmarks) are one
    line, not one per article."""
    from ..sources.opml import passed_line

    if report.pages and report.pages == len(report.skipped):
        print(f"error: {path}: no feed to add: its {report.pages} outlines link pages (htmlUrl or url), none a "
              "feed (xmlUrl): saved articles or bookmarks, not subscriptions? (export the subscriptions, "
              "or 'digest add' a site's page)", file=sys.stderr)
        return 1
    for line in report.skipped:  # as when some are added
        print(f"{path}: not added: {line}")
    if report.passed:
        print(f"{path}: {passed_line(report.passed)}")
    why = "no outline has an http(s) feed URL (xmlUrl)" if report.skipped or report.passed else "the list is empty"
    print(f"error: {path}: no feed to add: {why}", file=sys.stderr)
    return 1


def _read_elsewhere(cfg: Config, *, quiet: bool = False) -> dict[str, str]:
    """The feeds read at another address than their ``url:``, by source name: a permanent
    redirect followed, or the feed a configured page links (the store's fetch state,
    ``permanent_url``; ``digest.sources.retrieve.follow``).  An export gave the old address,
    which the reader it went to fetched through the redirect for ever, or read as a page (stop
    55).  None where no store was written yet (a SQLite file is not made for this), or where it
    cannot be read (a PostgreSQL server down, or left behind by the move): said in one line, the
    feeds exported at their ``url:`` as before the store was read for this.  Read only
    (``digest.store.peek``): the export made PostgreSQL's tables in an empty schema and migrated
    an older digest's SQLite file (stop 56).  ``quiet``: a store not read is not said (``digest
    add`` and ``digest import-opml``, which know the feeds by their ``url:`` then)."""
    from ..store.peek import read_addresses

    try:
        stored = read_addresses(cfg.database_url)
    except DigestError as exc:  # a server down or gone: the list is the file's (it needed no store before)
        if quiet:
            return {}
        print(f"the store is not read ({without_password(str(exc))}): each feed is exported at its url:, not where a move "
              "took it", file=sys.stderr)
        return {}
    out: dict[str, str] = {}
    for s in cfg.sources:
        location, moved = stored.get(s.name, (None, None)) if s.url else (None, None)
        if location == s.url and moved and moved != s.url:
            out[s.name] = moved
    return out


def cmd_export_opml(args: argparse.Namespace) -> int:
    from ..config import load_config
    from ..output.sanitize import shown_title
    from ..sources.opml import write_opml

    cfg = load_config(args.config)
    moved = _read_elsewhere(cfg)
    feeds = [{"name": s.name, "url": moved.get(s.name, s.url), "category": s.category, "site": s.site}
             for s in cfg.sources if s.url]
    for s in cfg.sources:
        if s.url is None:
            print(f"{s.name}: not exported: a local path, not a feed URL", file=sys.stderr)
        elif s.name in moved:
            print(f"{s.name}: exported at {without_password(moved[s.name])}, where it is read (its url: "
                  f"{without_password(s.url)} moved there for good, or links it)", file=sys.stderr)
    data = write_opml(feeds, title=shown_title(cfg.title) or "digest")
    if args.output in (None, "-"):
        sys.stdout.write(data.decode("utf-8"))
    else:
        try:
            Path(args.output).write_bytes(data)
        except OSError as exc:
            raise DigestError(f"{args.output}: cannot write: {exc.strerror or exc}") from None
        print(f"{args.output}: {plural(len(feeds), 'feed')}", file=sys.stderr)
    return 0

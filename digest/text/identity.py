"""Article identity: the same article seen again gets the same key.

Observations
------------
The same article comes back with ``utm_*`` tags, a ``#comments`` fragment,
an upper-case host or ``:443``; feed ids are only unique within one feed;
some entries have neither id nor link.

How it works
------------
Order of preference: the feed's entry id (an http(s) one's scheme and ``www.`` read as a
link's: :func:`id_identity`), else the canonical link
(:func:`canonical_url`: scheme and host lower-cased, user info, fragment,
default port and tracking parameters removed, remaining query parameters
sorted; ``http`` read as ``https`` and a leading ``www.`` dropped: :func:`link_identity`),
else a hash of the normalised (case- and whitespace-folded) title
and text; each scoped by source.  That text is cleaned of the entry's own junk
only, not of the lines recurring in a poll's batch (``digest.text.prepare``):
another poll lists other entries, and the key must not change with them.  Keys are short: a letter for the kind
(``i``/``u``/``c``), then 20 hex digits of a SHA-1.

Special cases
-------------
* A link key is scoped by source like the others: a source can write any
  URL in its items, so the same link from two sources is two articles (two
  versions of one story when the texts agree), and neither replaces the
  other.  Until issue #21 link keys were shared by all sources: a source
  listed first could publish a fake under another outlet's URL, and the
  real article was then skipped as already stored.  :func:`legacy_key`
  gives that old key, by which an article stored before the change is
  still recognised, for its own source only (``App.ingest``).
* A site that moves to https, or adds or drops ``www.``, lists every item under the new
  spelling of its link: one page, one key (:func:`link_identity`).  Until then the key held
  the link as spelt, and an entry without an id came back as new at the first poll after the
  move.  A store written before holds ``http://`` and ``www.`` links under that key
  (:func:`spelt_link_key`): an entry is found by the keys of its link's other spellings too
  and keeps the stored one (``digest.articles.as_stored``); nothing is rewritten.
* Many CMSs write the page's address as the entry's id (an RSS permalink ``<guid>``, an Atom
  ``<id>``) and rewrite it with the links when the site moves: an id that is an http(s) URL is
  keyed with http read as https and a leading ``www.`` dropped, the rest as spelt
  (:func:`id_identity`); its old keys are found the same way (:func:`spelt_id_keys`).  Any
  other id (``tag:``, ``urn:uuid:``, a number) is the entry's as spelt.
* An entry keyed by its text whose HTML holds a table had another text, and key, before stop 56
  (the tag strip spaced a row's cells, it writes ``| a | b |`` now): ``text.prepare`` gives it
  that key too, as an alias (``fragments.cells_spaced``), so a store written before knows it.
* Unparseable URLs (bad port, bad IPv6 literal) are used as they are.
* Parameters that select content (``id``, ``p``, ``feed``) are kept; only
  known tracking names are dropped (``TRACKING``).  The link stored and
  shown is the feed's own less those (:func:`without_tracking`): the key
  does not change with it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from contextlib import suppress
from urllib.parse import parse_qsl, quote, unquote_plus, urlencode, urlsplit, urlunsplit

TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|"
    r"ref|ref_src|cmpid|ito|icid|ocid|spm|sr_share|at_medium|at_campaign|__twitter_impression)$",
    re.I,
)
_WS = re.compile(r"\s+")
#: This machine's addresses a feed URL names it by, besides ``localhost``: one host to
#: :func:`feed_key`, however an IPv6 literal spells them (``[0:0:0:0:0:0:0:1]``,
#: ``[::ffff:127.0.0.1]``: the IPv4 address mapped).
_LOOPBACK_IPS = frozenset({ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")})


def canonical_url(url: str) -> str:
    """The link with tracking parameters, fragment and default port removed."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k))
    # spaces and non-ASCII percent-encoded; existing escapes left alone
    path = quote(parts.path.strip(), safe="/%:@!$&'()*+,;=") or "/"
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def names_this_machine(hostname: str) -> bool:
    """Whether ``hostname`` (a URL's, brackets off) names this machine: ``localhost``, or
    ``127.0.0.1`` or ``::1`` however spelt."""
    if hostname == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(hostname)
    except ValueError:
        return False
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return (mapped or ip) in _LOOPBACK_IPS


#: A percent escape in a path, and the characters it names that RFC 3986 calls unreserved:
#: ``/f%65ed`` is ``/feed`` (its section 6.2.2.2); any other escape stays, its hex upper-cased.
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _unescaped(m: re.Match[str]) -> str:
    c = chr(int(m.group(1), 16))
    return c if c in _UNRESERVED else m.group(0).upper()


def feed_key(url: str) -> str:
    """The feed a source URL reads, whatever the spelling: :func:`canonical_url` less the
    scheme (``http``/``https``), a leading ``www.`` and a trailing ``/``
    (``http://www.x.example:80/feed/`` and ``https://x.example/feed`` are one key), and this
    machine's names for itself (``localhost``, ``127.0.0.1``, ``[::1]`` however spelt, as
    ``[0:0:0:0:0:0:0:1]`` or ``[::ffff:127.0.0.1]``: a feed served on this machine, as a user's
    own scraper or bridge is, listed once under each).

    Sites answer both spellings with the same feed, and a source listed under two of them
    stores and shows every article twice.  A query, another path, host or port is another feed.
    So are a host with the DNS root's dot (``x.example.``) and a path with an escaped letter
    (``/f%65ed``) the plain spelling's (stop 48: an OPML list could add one feed twice so);
    ``//`` in a path stays another path, as servers may read it so.
    """
    try:
        parts = urlsplit(canonical_url(url))
    except ValueError:  # no URL urlsplit reads ("http://[::1/feed": a bracket not closed): as spelt
        return url.strip()
    host, name = parts.netloc.removeprefix("www."), (parts.hostname or "").rstrip(".").removeprefix("www.")
    if names_this_machine(name) or (parts.hostname or "").endswith("."):  # the root's dot: one host
        with suppress(ValueError):  # a port off the range: the host as spelt
            host = ("localhost" if names_this_machine(name) else name) + (f":{parts.port}" if parts.port else "")
    path = _ESCAPE.sub(_unescaped, parts.path).rstrip("/")
    return f"{host}{path}?{parts.query}" if parts.query else f"{host}{path}"


def channel_of(location: str) -> str:
    """The feed a source reads, by where it is: a URL by :func:`feed_key` (one feed however
    spelt, as the configuration's warning says), a path as it is."""
    return feed_key(location) if "://" in location else location


def without_tracking(url: str) -> str:
    """The link as given, less its tracking parameters (the link a reader is sent to).

    Everything else stays as the feed wrote it (order, escapes, fragment): unlike
    :func:`canonical_url`, this is for showing, not for comparing.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    kept = [
        p
        for p in parts.query.split("&")
        if p and not TRACKING.match(unquote_plus(p.partition("=")[0]))
    ]
    query = "&".join(kept)
    return url if query == parts.query else urlunsplit(parts._replace(query=query))


def _h(kind: str, *parts: str) -> str:
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind}{digest[:20]}"


def link_identity(url: str) -> str:
    """The page a link names, for its key: :func:`canonical_url` with ``http`` read as ``https``
    and a leading ``www.`` dropped (``http://www.x.example/a`` is ``https://x.example/a``).

    A site moving to https, or adding or dropping ``www.``, answers the old spelling with a
    redirect and lists every item of its feed under the new one: one page, as :func:`feed_key`
    reads a feed's URL.  An https link without ``www.`` keeps the key it had before."""
    canon = canonical_url(url)
    try:
        parts = urlsplit(canon)
    except ValueError:  # unparseable: as canonical_url left it
        return canon
    if parts.scheme not in ("http", "https"):
        return canon
    return urlunsplit(("https", parts.netloc.removeprefix("www."), parts.path, parts.query, ""))


#: An entry id that is an http(s) URL, up to its host: the scheme and a leading ``www.`` (not
#: the whole host: ``http://www./a`` keeps it).
_URL_ID = re.compile(r"^https?://(?:www\.(?=[^/?#\s]))?", re.I)


def id_identity(entry_id: str) -> str:
    """The entry an id names, for its key: an id that is an http(s) URL (an RSS permalink
    ``<guid>``, an Atom ``<id>`` written as the page's address) with ``http`` read as ``https``
    and a leading ``www.`` dropped, the rest as spelt; any other id (``tag:``, ``urn:uuid:``,
    ``1234``) as spelt.

    A CMS moving its site to https (or adding or dropping ``www.``) rewrites such ids with the
    links, and every item of the feed came back as new, each stored twice.  Only the scheme
    and ``www.`` go: an id is the feed's name for one entry, not a link to clean, and its
    query, fragment and case may tell entries apart (``/page#item-2``, ``?p=123``), where
    :func:`link_identity` would make them one."""
    ident = entry_id.strip()
    m = _URL_ID.match(ident)
    return f"https://{ident[m.end():]}" if m else ident


def article_key(source: str, entry_id: str | None, url: str | None, title: str, text: str) -> str:
    """A stable identity key for an article."""
    if entry_id and entry_id.strip():
        return _h("i", source, id_identity(entry_id))
    if is_http(url):
        return _h("u", source, link_identity(url or ""))
    norm = _WS.sub(" ", f"{title}\n{text}".lower()).strip()
    return _h("c", source, norm)


def spelt_link_key(source: str, url: str) -> str:
    """The key digest gave an entry without an id before link keys read http as https and
    dropped ``www.`` (:func:`link_identity`): its link as spelt, scheme and host kept."""
    return _h("u", source, canonical_url(url))


def spelt_link_keys(source: str, url: str) -> list[str]:
    """The keys an older digest may hold ``source``'s entry linking to ``url`` (no id) under,
    other than its key now: :func:`spelt_link_key` of each spelling of the link, http or https,
    with ``www.`` or without (the site moved since it was stored, or moves back).  Empty for
    a link that is not http(s) or cannot be read."""
    ident = link_identity(url)
    try:
        parts = urlsplit(ident)
    except ValueError:
        return []
    if parts.scheme != "https":
        return []
    now = _h("u", source, ident)
    hosts = (parts.netloc, f"www.{parts.netloc}")
    spelt = {spelt_link_key(source, urlunsplit((scheme, host, parts.path, parts.query, "")))
             for scheme in ("http", "https") for host in hosts}
    return sorted(spelt - {now})


def spelt_id_key(source: str, entry_id: str) -> str:
    """The key digest gave an entry with an id before an http(s) id read http as https and
    dropped ``www.`` (:func:`id_identity`): its id as spelt."""
    return _h("i", source, entry_id.strip())


def spelt_id_keys(source: str, entry_id: str) -> list[str]:
    """The keys an older digest may hold ``source``'s entry of id ``entry_id`` under, other
    than its key now: :func:`spelt_id_key` of each of :func:`id_spellings` (the site moved
    since it was stored, or moves back).  Empty for an id that is no http(s) URL."""
    if not _URL_ID.match(entry_id.strip()):
        return []
    spelt = {spelt_id_key(source, i) for i in id_spellings(entry_id)}
    return sorted(spelt - {_h("i", source, id_identity(entry_id))})


def id_spellings(entry_id: str) -> list[str]:
    """The ids one entry may have been read under: an http(s) id as spelt and with http or
    https, ``www.`` or not; any other id as spelt."""
    ident = entry_id.strip()
    if not (m := _URL_ID.match(ident)):
        return [ident]
    rest = ident[m.end():]
    return sorted({ident} | {f"{scheme}://{www}{rest}" for scheme in ("http", "https") for www in ("", "www.")})


def legacy_key(entry_id: str | None, url: str | None) -> str | None:
    """The key digest gave this article before issue #21, when it was another: its link key,
    shared by every source.  None for an article keyed by its entry id or its content."""
    if (entry_id and entry_id.strip()) or not is_http(url):
        return None
    return _h("u", canonical_url(url or ""))


_SCHEME_HOST = re.compile(r"^([a-z][a-z0-9+.-]*://)(?:([^/?#@]*@))?([^/?#]*)", re.I)


def lower_host(url: str) -> str:
    """``url`` with its scheme and host in lower case (``https://NEWS.example/X`` is
    ``https://news.example/X``): both are case-insensitive, the path, query and fragment
    are not and stay as spelt.  Anything else as it is."""
    m = _SCHEME_HOST.match(url)
    if not m:
        return url
    return f"{m[1].lower()}{m[2] or ''}{m[3].lower()}{url[m.end():]}"


def after_host(url: str) -> str | None:
    """What follows ``url``'s host, as spelt (``/X?q=1`` of ``https://NEWS.example/X?q=1``):
    the part a host's capitals leave alone; None for a URL without ``scheme://``."""
    m = _SCHEME_HOST.match(url)
    return url[m.end():] if m else None


def is_http(url: str | None) -> bool:
    return bool(url and re.match(r"^https?://", url.strip(), re.I))

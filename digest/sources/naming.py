"""A source's name from its feed's URL, where nothing better names it (a feed with no title added
by ``digest add``, an OPML outline with no text): its host and what its path and query say of
which feed it is, never a credential.

Observations
------------
* A name is shown in the digest, the email and the archive's pages; the URL stays in feeds.yaml.
  An untitled OPML outline was named by its whole URL, ``https://ann:hunter2@host/feed`` (stop 63:
  its password in every digest); a private feed's token in its path named it
  (``news.example/3f9a8c7b...``).
* A credential in the query is told by its key (:data:`SECRET_KEY`, stop 62), one in the path by
  its look (:func:`looks_secret`): long runs of letters and digits mixed, a UUID.  The userinfo
  (``user:pass@``) is never part of a name: the host is ``urlsplit``'s ``hostname``.

Moved out of ``digest.cli.sourcelist`` (stop 63) so that ``digest.sources.opml`` names by it too.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

from ..errors import SECRET_KEY, looks_secret
from .fields import visible_name

#: The parts of a feed's path (and the values of its query) that say it is a feed, not which:
#: left out when a source is named from its URL (``/world/rss.xml`` names ``world``).
#: ``posts``: Blogger's main feed (``/feeds/posts/default``), Hugo's ``/posts/index.xml``; ``all``:
#: Pelican's ``/feeds/all.atom.xml``, whose ``.atom`` before the extension is dropped too.
FEED_WORDS = frozenset("rss rss2 rdf atom feed feeds xml index default all posts syndication".split())
#: The extensions of a page or script serving a feed, dropped from the path's last part as a feed
#: word's are (``rss.php``, ``feed.json``); another is part of the name: arXiv's ``/rss/cs.CL``
#: and ``/rss/cs.AI`` were both named ``arxiv.org/cs`` (stop 62 review).
PAGE_EXTENSIONS = frozenset("php php3 asp aspx cgi pl py jsp cfm htm html shtml json txt".split())
#: At most this many characters of the path (and query) in a source's name, cut at a word's end
#: with "…": a slug may be a headline.  GitHub's ``/OWNER/REPO/commits/BRANCH`` fits with room.
PATH_CHARS = 60


def _named_parts(url: str) -> str:
    """What a URL's path and query say of which feed it is: every part of the path that is no
    feed word (:data:`FEED_WORDS`; the last part's extension dropped, and a feed word before it:
    ``python.atom.xml``) nor a number (``/2003/11/``, ``/2.0/``, GitLab's ``/-/``), joined by
    "/" (a part that :func:`looks_secret` left out); then the query's ``key=value`` pairs whose value is no feed word nor number (``?format=atom``, ``?limit=50``)
    nor a credential (:data:`SECRET_KEY`)."""
    parts = urlsplit(url)
    kept = []
    path = [unquote(p) for p in parts.path.split("/") if p]
    for i, part in enumerate(path):
        ext = part.rsplit(".", 1)[1].lower() if "." in part and i == len(path) - 1 else ""  # a folder's dots name it
        stem = part.rsplit(".", 1)[0] if ext in FEED_WORDS or ext in PAGE_EXTENSIONS else part  # not arXiv's cs.CL
        while "." in stem and stem.rsplit(".", 1)[1].lower() in FEED_WORDS:
            stem = stem.rsplit(".", 1)[0]
        shown = " ".join(visible_name(stem).split())
        if _says_which(shown) and not looks_secret(shown):  # a private feed's token names nothing
            kept.append(shown)
    said = "/".join(kept)
    pairs = [(" ".join(visible_name(k).split()), " ".join(visible_name(v).split())) for k, v in parse_qsl(parts.query)]
    query = "&".join(f"{k}={v}" for k, v in pairs if k and _says_which(v) and not SECRET_KEY.search(k))  # not ?limit=50
    return f"{said}?{query}" if query else said


def _says_which(shown: str) -> bool:
    return bool(shown) and shown.lower() not in FEED_WORDS and not re.fullmatch(r"[\d.\-_]+", shown)


def site_name(url: str) -> str:
    """A source name from a URL when the feed has no title (``--no-check``, or a feed with none):
    its host without ``www.``, then "/" and what its path and query say of which feed it is
    (:func:`_named_parts`), at most :data:`PATH_CHARS` of it: ``example.com/world`` for
    ``https://www.example.com/world/rss.xml``, ``example.com`` for ``https://example.com/feed``,
    ``github.com/OWNER/REPO/releases`` for ``.../releases.atom``, ``reddit.com/r/NAME`` for
    ``/r/NAME/.rss``.  The host alone named two feeds of one site ``example.com`` and
    ``example.com (example.com)`` (stop 61); the path's last part named every GitHub
    repository's releases ``github.com/releases`` and every YouTube channel ``youtube.com/videos``
    (stop 62); a part was cut mid-word at 40 characters."""
    parts = urlsplit(url)
    host = (parts.hostname or url).removeprefix("www.")
    said = _named_parts(url)
    if len(said) > PATH_CHARS:
        cut = said[: PATH_CHARS + 1]
        ends = [i for i, c in enumerate(cut) if c in "/-_ ?&=" and i > PATH_CHARS // 2]
        said = cut[: ends[-1] if ends else PATH_CHARS].rstrip("/-_ ?&=") + "…"
    return f"{host}/{said}" if said else host

"""Article identity: the same article seen again gets the same key.

Order of preference: the feed's entry id (scoped by source, since ids are
only unique within a feed), else the canonical link (tracking parameters,
fragment, default port and case differences removed), else a hash of the
normalised title and text.  Keys are short: a letter for the kind, then 20
hex digits of a SHA-1.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|"
    r"ref|ref_src|cmpid|ito|icid|ocid|spm|sr_share|share|at_medium|at_campaign|rss|feed)$",
    re.I,
)
_WS = re.compile(r"\s+")


def canonical_url(url: str) -> str:
    """The link with tracking parameters, fragment and default port removed."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k))
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def _h(kind: str, *parts: str) -> str:
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind}{digest[:20]}"


def article_key(source: str, entry_id: str | None, url: str | None, title: str, text: str) -> str:
    """A stable identity key for an article."""
    if entry_id and entry_id.strip():
        return _h("i", source, entry_id.strip())
    if url and re.match(r"^https?://", url.strip(), re.I):
        return _h("u", canonical_url(url))
    norm = _WS.sub(" ", f"{title}\n{text}".lower()).strip()
    return _h("c", source, norm)

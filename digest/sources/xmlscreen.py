"""XML entity screening: feed documents lose the entity declarations that could explode.

Observations
------------
XML entities (measured with feedparser 6.0.14, expat 2.5): expat never
loads external entities or DTDs, and feedparser drops entity declarations
that reference others, but it re-declares "safe" literal entities of any
length for its loose parser, which expands them without limit: 20,000
references to a 100 kB entity took 130 s and 9 GB.  So before feedparser
sees a document with a DOCTYPE, every entity declaration except short
literals and single character references is removed (:func:`screen_entities`);
documents in UTF-16/32 or EBCDIC are screened after decoding.

Attributes: feedparser's strict parser looks each attribute of an element up
by a linear search of that element's attributes (``xml.sax``'s
``getValueByQName``), quadratic in their number: 20,000 attributes on one
element took 7 s, the 1.5 million a 15 MiB response holds would take hours.
No feed puts more than a few dozen on one element.

How it works
------------
:func:`screen_entities` keeps general entities whose value is one character
reference or a short literal, and removes every other declaration; a
document without a DOCTYPE, or without an ENTITY, is returned untouched.

:func:`crowded_element` finds a start tag with more than ``MAX_ATTRIBUTES``
attributes in one linear pass over the runs of markup long enough to hold
that many; the caller refuses the document.
"""

from __future__ import annotations

import re

__all__ = ["MAX_ATTRIBUTES", "ascii_incompatible_codec", "crowded_element", "screen_entities"]

#: Attributes one element may have (see the module doc); a feed's have a few.
MAX_ATTRIBUTES = 1000
#: Where a start tag long enough to hold more than MAX_ATTRIBUTES (`` a=""`` is 5 bytes) may
#: begin (a quoted value may hold ``>``, not ``<``) ...
_LONG_RUN = re.compile(rb"<[A-Za-z_][^<]{%d,}" % (5 * MAX_ATTRIBUTES))
#: ... and the start tag there: its name and its attributes, values quoted.
_START_TAG = re.compile(rb"""<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*""")

_DOCTYPE = re.compile(r"<!DOCTYPE", re.I)
_ENTITY_DECL = re.compile(r"<!ENTITY\b[^>]*>?", re.I)
_SAFE_ENTITY = re.compile(
    r"""<!ENTITY\s+[A-Za-z_][\w.-]{0,63}\s+
        (?P<q>["'])(?:&\#[0-9]{1,7};|&\#x[0-9a-fA-F]{1,6};|[^&%<"']{0,16})(?P=q)\s*>""",
    re.X,
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


def ascii_incompatible_codec(data: bytes) -> str | None:
    """The codec of an ASCII-incompatible document (by BOM or first bytes)."""
    head = data[:4]
    if head in (b"\x00\x00\xfe\xff", b"\x00\x00\x00<"):
        return "utf-32-be"
    if head in (b"\xff\xfe\x00\x00", b"<\x00\x00\x00"):
        return "utf-32-le"
    if head[:2] == b"\xfe\xff" or head == b"\x00<\x00?":
        return "utf-16-be"
    if head[:2] == b"\xff\xfe" or head == b"<\x00?\x00":
        return "utf-16-le"
    if head == b"\x4c\x6f\xa7\x94":
        return "cp037"
    return None


def crowded_element(data: bytes) -> int | None:
    """The attribute count of the first start tag holding more than ``MAX_ATTRIBUTES``, if any."""
    if data.count(b"=") <= MAX_ATTRIBUTES:
        return None
    codec = ascii_incompatible_codec(data)
    if codec is not None:
        data = data.decode(codec, errors="replace").encode("utf-8")
    for run in _LONG_RUN.finditer(data):
        tag = _START_TAG.match(data, run.start())
        n = tag.group(0).count(b"=") if tag else 0  # an upper bound: a value may hold "="
        if n > MAX_ATTRIBUTES:
            return n
    return None


def screen_entities(data: bytes) -> bytes:
    """``data`` with dangerous XML entity declarations removed.

    Only documents with a DOCTYPE can declare entities.  Kept: general
    entities whose value is one character reference or a literal of at most
    16 characters without ``&``, ``%`` or ``<``.  Removed: everything else
    (nested entities, external ``SYSTEM``/``PUBLIC`` entities, parameter
    entities).  Leftovers of a removed declaration make the XML ill-formed,
    which feedparser handles as bozo with its loose parser.
    """
    codec = ascii_incompatible_codec(data)
    if codec is None:
        if not re.search(rb"<!DOCTYPE", data, re.I) or not re.search(rb"<!ENTITY", data, re.I):
            return data
        view = data.decode("latin-1")
    else:
        view = data.decode(codec, errors="replace").lstrip("\ufeff")
        if not _DOCTYPE.search(view) or "<!ENTITY" not in view.upper():
            return data

    def keep_safe(m: re.Match[str]) -> str:
        decl = m.group(0)
        return decl if _SAFE_ENTITY.fullmatch(decl) else ""

    screened = _ENTITY_DECL.sub(keep_safe, view)
    if screened == view:
        return data
    if codec is None:
        return screened.encode("latin-1")
    screened = _XML_DECL.sub("", screened, count=1)
    return b'<?xml version="1.0" encoding="utf-8"?>' + screened.encode("utf-8", "replace")

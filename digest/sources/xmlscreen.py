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

Elements: feedparser's time is about 10 us an element (6 us in its strict
parser, known or unknown, empty or not) and twice over for an ill-formed
document, read again by its loose parser: 15 MiB of ``<x/>`` (3.9 million
elements) held one core 90-150 s.  A real feed holds about 15-20 a KiB, most
of them text-bearing (a podcast's feed at the 15 MiB fetch cap: 271,000).

Encodings: feedparser decodes a document in the encoding the HTTP charset or
its declaration names, any codec Python has: in UTF-7 ``+ADw-`` is ``<``, so a
screen of the bytes as sent saw no element and no attribute where feedparser
read millions.  So every screen reads the document as feedparser will
(:func:`as_feedparser_reads`: its own decoding, written as UTF-8), and
feedparser is handed that text.

How it works
------------
:func:`screen_entities` keeps general entities whose value is one character
reference or a short literal, and removes every other declaration; a
document without a DOCTYPE, or without an ENTITY, is returned untouched.

:func:`crowded_element` finds a start tag with more than ``MAX_ATTRIBUTES``
attributes in one linear pass over the runs of markup long enough to hold
that many; the caller refuses the document.

:func:`element_count` is an upper bound of the start tags: every ``<`` not
opening an end tag, a comment, CDATA or a declaration (HTML inside CDATA is
counted too), by four ``bytes.count`` calls; the caller refuses a document
holding more than ``params.MAX_ELEMENTS``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "MAX_ATTRIBUTES", "UTF8_XML", "as_feedparser_reads", "ascii_incompatible_codec", "crowded_element",
    "element_count", "screen_charrefs", "screen_entities",
]  # fmt: skip

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


#: The content type under which feedparser reads :func:`as_feedparser_reads`'s text as it is.
UTF8_XML = "application/xml; charset=utf-8"


def as_feedparser_reads(data: bytes, content_type: str | None) -> bytes:
    """``data`` decoded as feedparser decodes it (HTTP charset, XML declaration, BOM, its
    fallbacks), as UTF-8 with a declaration saying so; ``data`` itself when no codec reads it.

    feedparser given this text under ``UTF8_XML`` reads the same characters again."""
    from feedparser.encodings import convert_to_utf8

    headers = {"content-type": content_type} if content_type else {}
    result: dict[str, Any] = {}
    text: bytes = convert_to_utf8(headers, data, result)
    return text if result.get("encoding") else data


def element_count(data: bytes) -> int:
    """An upper bound of the start tags in ``data`` (ASCII-compatible: UTF-8 here)."""
    return data.count(b"<") - data.count(b"</") - data.count(b"<!") - data.count(b"<?")


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


#: A character reference (``&#55296;``, ``&#xD800;``) ...
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
#: ... written ``&#xFFFD;`` when it names no character (a surrogate, past U+10FFFF).
_REPLACEMENT = b"&#xFFFD;"


def screen_charrefs(data: bytes) -> bytes:
    """``data`` with each character reference that names no character written as U+FFFD's.

    feedparser's loose parser makes a character of each one (``chr``) and encodes it: a
    surrogate (``&#xD800;``) raised UnicodeEncodeError, ``&#x110000;`` ValueError, a number of
    20 digits OverflowError, out of the parse: one entry's title made the whole feed unread."""
    if b"&#" not in data:
        return data

    def named(m: re.Match[bytes]) -> bytes:
        hexa, dec = m.group(1), m.group(2)
        digits = (hexa or dec).lstrip(b"0")
        if len(digits) > 7:
            return _REPLACEMENT
        n = int(digits or b"0", 16 if hexa else 10)
        return _REPLACEMENT if 0xD800 <= n <= 0xDFFF or n > 0x10FFFF else m.group(0)

    return _CHARREF.sub(named, data)


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

"""Text as a reader or a terminal is shown it: on one line, its bidi runs closed, its control
characters made visible, cut at a word.

Observations
------------
Everything here is applied to hostile text (a feed's title, an outlet's name, an excerpt) at
the last step before it is shown: a digest line, a terminal, a log message.  None of it
changes what is stored or what dedup reads.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .params import SITE_HEAD_WORDS
from .scripts import safe_cut


def one_line(s: str | None) -> str:
    """``s`` on one line, its runs of spaces (line breaks, tabs) folded to one, its bidi
    controls closed within it (:func:`contained_bidi`); "" for None."""
    return contained_bidi(" ".join((s or "").split()))


def shows_something(s: str) -> bool:
    """Whether ``s`` holds a letter, digit, punctuation mark or symbol: not only spaces and the
    characters nobody sees (bidi controls, U+200F, zero-width spaces, combining marks alone)."""
    return any(unicodedata.category(c)[0] in "LNPS" for c in s)


#: Bidi controls that open a run (embeddings LRE RLE, overrides LRO RLO; isolates LRI RLI FSI)
#: and the two that close one (PDF, PDI).
_EMBED = "\u202a\u202b\u202d\u202e"
_ISOLATE = "\u2066\u2067\u2068"
_PDF, _PDI = "\u202c", "\u2069"
_BIDI = re.compile(f"[{_EMBED}{_ISOLATE}{_PDF}{_PDI}]")


def contained_bidi(s: str) -> str:
    """``s`` with every bidi embedding, override and isolate it opens closed at its end, and
    every closer that closes nothing of its own dropped: its direction stays within it.

    A feed's title or outlet ending in an unclosed U+202E (RIGHT-TO-LEFT OVERRIDE) turned the
    rest of its line around wherever no element isolates it: in the email's text part, the
    Markdown file and a terminal, "Eve [U+202E]evil · Sun 6 Dec, 00:00 UTC" read "Eve CTU
    00:00 ,ceD 6 nuS · live" (stop 56); a stray PDF or PDI could close a run of ours.  The
    pairing is the Unicode bidi algorithm's (UAX #9, X6a-X7): a PDI closes its isolate and
    every embedding opened inside it, a PDF the last embedding unless an isolate is open
    after it.  Balanced text (an isolate around a right-to-left name) is kept as it is."""
    if not _BIDI.search(s):
        return s
    opened: list[str] = []  # the closer each open run needs, innermost last
    out: list[str] = []
    pos = 0
    for m in _BIDI.finditer(s):
        out.append(s[pos : m.start()])
        pos = m.end()
        c = m.group()
        if c in _EMBED:
            opened.append(_PDF)
        elif c in _ISOLATE:
            opened.append(_PDI)
        elif c == _PDF:
            if not opened or opened[-1] != _PDF:
                continue  # closes nothing, or would reach past an open isolate
            opened.pop()
        else:  # PDI
            if _PDI not in opened:
                continue
            while opened.pop() != _PDI:  # the embeddings inside the isolate close with it
                pass
        out.append(c)
    out.append(s[pos:])
    return "".join(out) + "".join(reversed(opened))


#: A separator left at a headline's end, the site's name after it cut off: "Teen shoots self
#: while taking selfie –" (GVC val).
#: ("::" is two ":": an alternative of its own made a run of colons backtrack exponentially.)
_LEFT_SEPARATOR = re.compile(r"\s+[-–—|:·•]+$")


#: The site's part at a headline's end, where a feed's title or a page without a stated site
#: name carries it: from a separator to the end, its first part holding a web address or a
#: station's "News ... Weather" line ("... identified - KXLF.com | Continuous News | Butte ,
#: Montana", "... death - KSLA News 12 Shreveport , Louisiana News Weather & Sports": GVC val, 6
#: of 78 titles; "... Davis Cup Finals - Sportsnet.ca", 14 of scrapinghub's 349 titles and
#: og:titles).  Not ending like a sentence, and after a headline of ``params.SITE_HEAD_WORDS`` words.
#: The web address ends its part (the site's name, "- nj.com", "KXLF.com | ..."), or names
#: follow it ("- KiiiTV.com South Texas , Corpus Christi , Coastal Bend"): one before a clause's
#: words ("Bezos steps down — Amazon.com founder to become executive chair") is no site's part
#: (stop 62 second review).
_SITE_PART = re.compile(
    r"\s+(?:[-–—|]|::)\s+(?=[^-–—|]*?(?:\b[\w-]+\.(?:com|net|org|tv|news|info|co\.uk|ca|com\.au|ie)\b"
    r"(?=(?:\s*,?\s+[A-Z0-9&][^\s,|–—-]*)*\s*(?:[-–—|]|::|$))|\bNews\b[^-–—|]*\bWeather\b)).*(?<![.!?…\"”])$"
)


def headline(title: str | None) -> str:
    """``title`` on one line, less the site's part at its end (``_SITE_PART``) and a
    separator left at its end: as the digest, the archive's pages and the Atom feed show a
    headline."""
    line = one_line(title)
    site = _SITE_PART.search(line)
    if site and len(line[: site.start()].split()) >= SITE_HEAD_WORDS:
        line = line[: site.start()]
    return _LEFT_SEPARATOR.sub("", line)


_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def terminal_line(s: object) -> str:
    """``s`` as one line for a terminal: line breaks folded, other control characters U+FFFD (a
    folder's file named ``"a\\nerror: ...\\x1b[2J"`` printed a line of its own and cleared the
    screen)."""
    return without_controls(one_line(str(s)), lines=False)


#: What a terminal acts on or turns around, left in JSON text by ``json.dumps`` (it escapes C0
#: controls alone): DEL, the C1 controls (U+009B is a CSI, U+009D an OSC) and the bidi controls.
_JSON_UNSEEN = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_json(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) for a terminal: each of those
    characters written as its ``\\uXXXX`` escape, the values the same (they are only ever
    inside a JSON string).  A feed's title holding U+009B ``2J`` cleared the screen of
    ``digest search --json`` (stop 56)."""
    return _JSON_UNSEEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_CONTROLS_BUT_LINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def log_text(s: str) -> str:
    """A log message for a terminal: control characters but line breaks U+FFFD, each line after
    the first indented (a message of several lines, the configuration's problems, keeps them; a
    file's name holding ``"\\nerror: ..."`` starts no line of its own)."""
    return without_controls(s).replace("\n", "\n  ")


def without_controls(s: str, *, lines: bool = True) -> str:
    """``s`` with its control characters U+FFFD, but its line breaks with ``lines`` (a
    traceback's lines kept); its spaces as they are."""
    return (_CONTROLS_BUT_LINES if lines else _CONTROLS).sub("\ufffd", s)


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, ending with "…".

    A text without a space in its second half is cut where it must.
    """
    if len(text) <= limit:
        return text
    cut = text[: safe_cut(text, limit - 1)]  # not between a letter and its marks, nor in an emoji
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


_SURROGATE = re.compile("[\ud800-\udfff]")  # json.loads joins a pair: one left is alone


def unicode_only(value: Any) -> Any:
    """Parsed JSON with each lone surrogate in its texts (keys too) replaced by U+FFFD.

    ``"\\ud800"`` is valid JSON, and ``json.loads`` reads it as a lone surrogate, which no
    UTF-8 text holds: the store refused it (a JSON Feed's source failed at every poll, ``digest
    replay`` stopped with a traceback).
    """
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {unicode_only(k): unicode_only(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unicode_only(v) for v in value]
    return value

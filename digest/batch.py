"""Batch dedupe over JSON Lines: the stable contract benchmarks and outside checks use.

Input, one article a line::

    {"id", "title", "text" or "html", "url"?, "source"?, "published"?, "priority"?}

Output, one line per input article, in input order::

    {"id", "story", "lead"}

Articles go through exactly the path ``digest run`` uses (clean with
``digest.text.prepare``, then ``digest.dedup.engine.Engine.add`` one at a time, in input
order); only the store is missing (an outlet's notice at its report's address takes back the
report read from that link earlier in the input, as ``digest run`` finds it in the store).  Story ids and lead flags are written
after the last article, so they reflect merges and lead changes that later
articles caused.  ``published`` (ISO 8601 or epoch seconds) enables the time
window; without it, no window applies.  ``priority`` (a number, default 0) is the source's:
the preferred version when two are equally complete; one that is not a finite number is
read as none given, as a time off the calendar is.

Input is UTF-8 (a byte-order mark at the start is dropped); a bad line (not
UTF-8, not JSON, no ``id``, an ``id`` that is ``null``, blank, an object or a list, a
``url`` that is not text, an ``id``, ``url`` or ``source`` longer than ``ID_CHARS``,
``URL_CHARS`` or ``SOURCE_CHARS``, a line of more than ``MAX_LINE_BYTES``, ...) is reported
with its number and skipped.  A lone surrogate escaped in a line's JSON (``"\\ud800"``) is read as U+FFFD.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TextIO

from .articles import one_report
from .dedup.engine import Doc, Engine, Params
from .records import TITLE_CHARS, Entry
from .sources.fields import ID_CHARS, OUTLET_CHARS, URL_CHARS, language_tag
from .text.identity import is_http
from .text.notices import takedown
from .text.prepare import RecurringLines, prepare
from .text.shown import shorten, terminal_json, unicode_only

#: A stream of JSON Lines: a text stream, or a binary one (each line decoded as UTF-8 here, so
#: one line that is not UTF-8 is a bad line, not the end of the file).
Lines = Iterable[str | bytes]


#: Bytes of one line read: a longer line is a bad line, skipped without being held.  A record's
#: text is cut to 200,000 characters and its HTML read to 5,000,000 (``text.params``,
#: ``text.extract``); a line of 100 MB took ``digest replay`` 1.7 GB of memory (stop 42).
MAX_LINE_BYTES = 32 * 1024 * 1024


#: A record's ``source`` longer than this is a bad line: it names a feed, and the digest showed it
#: whole (a 10 MB one: a 10 MB digest; stop 42).
SOURCE_CHARS = 300


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    problem: str


def epoch(value: Any) -> float | None:
    """Epoch seconds of an ISO 8601 time (naive: UTC) or a number; None when unreadable or
    not a time a ``datetime`` holds in UTC (``1e20``, ``NaN``, 9999-12-31T23:00-05:00)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            stamp = float(value)
        else:
            dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            stamp = (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()
        datetime.fromtimestamp(stamp, UTC)  # what entry_of and the replay do with it
    except (ValueError, OverflowError, OSError):
        return None
    return stamp


def priority_of(value: Any) -> float:
    """A record's ``priority``: a finite number (or its text); anything else is none given (0)."""
    if value is None or isinstance(value, bool | list | dict):
        return 0.0
    try:
        p = float(value)
    except (TypeError, ValueError):
        return 0.0
    return p if math.isfinite(p) else 0.0


def entry_of(record: dict[str, Any]) -> Entry:
    """One input record as the entry a feed would have given (its id as the entry's id)."""
    html = record.get("html")
    stamp = epoch(record.get("published"))
    url = record.get("url")
    if isinstance(url, str) and url.strip().lower().startswith("file:"):  # a note's mark (``output.linkify``):
        url = None  # a feed never gives one, and a record's text would make links as a note's (stop 62 review)
    return Entry(
        source=str(record.get("source") or ""),
        title=shorten(str(record.get("title") or ""), TITLE_CHARS),  # as a feed's are
        url=url,
        entry_id=str(record["id"]),
        content_html=str(html) if html else None,
        text=None if html else str(record.get("text") or ""),
        published=None if stamp is None else datetime.fromtimestamp(stamp, UTC),
        lang=language_tag(record.get("lang")),
        outlet=shorten(" ".join(str(record["outlet"]).split()), OUTLET_CHARS) or None if record.get("outlet") else None,
    )


def to_doc(record: dict[str, Any], recurring: RecurringLines) -> Doc:
    """One input record -> the engine's Doc, cleaned exactly as ``run`` cleans."""
    rid = str(record["id"])
    source = str(record.get("source") or "")
    entry = entry_of(record)
    article = prepare(entry, recurring=recurring)
    title = article.title if article else ""
    text = article.text if article else ""
    return Doc(
        id=rid,
        title=title,
        text=text,
        source=source,
        published=epoch(record.get("published")),
        arrived=epoch(record.get("arrived")),
        priority=priority_of(record.get("priority")),
        truncated=bool(article and article.truncated),
        junk=sum(len(line) for line in article.junk) if article else 0,
        notice=takedown(title, text) is not None,
    )


def dedupe_records(
    records: Iterable[dict[str, Any]], engine: Engine | None = None
) -> list[dict[str, Any]]:
    """Cluster records in order; return ``{"id", "story", "lead"}`` per record."""
    engine = Engine(Params()) if engine is None else engine
    recurring = RecurringLines()
    ids: list[str] = []
    at_link: dict[tuple[str, str], list[str]] = {}  # the reports read from each link, the latest last
    for record in records:
        doc = to_doc(record, recurring)
        url = record.get("url")
        if isinstance(url, str) and is_http(url):  # a notice at its report's address takes it back
            here = at_link.setdefault((doc.source, url), [])
            if doc.notice:  # (``digest run``: ``articles.PollDocs``)
                doc = replace(doc, revises=one_report([(r, engine.story_of(r)) for r in reversed(here)]))
            else:
                here.append(doc.id)
        engine.add(doc)
        ids.append(doc.id)
    out = []
    for rid in ids:
        story = engine.story_of(rid)
        out.append({"id": rid, "story": story, "lead": engine.lead(story) == rid})
    return out


def read_jsonl(stream: Lines, errors: list[BadLine]) -> Iterator[dict[str, Any]]:
    """Yield records; bad lines are recorded in ``errors`` and skipped."""
    for _n, record in numbered_records(stream, errors):
        yield record


class _TooLong:
    """A line longer than ``MAX_LINE_BYTES``, its length (read past, never held whole)."""

    def __init__(self, size: int) -> None:
        self.size = size


def _bounded(stream: Lines) -> Iterator[str | bytes | _TooLong]:
    """The stream's lines, each of more than ``MAX_LINE_BYTES`` as a :class:`_TooLong` (a
    stream without ``readline``, a list, is taken as it is)."""
    readline = getattr(stream, "readline", None)
    if readline is None:
        yield from stream
        return
    while line := readline(MAX_LINE_BYTES + 1):
        if len(line) <= MAX_LINE_BYTES or line[-1:] in ("\n", b"\n"):
            yield line
            continue
        size = len(line)
        while (rest := readline(MAX_LINE_BYTES)) and rest[-1:] not in ("\n", b"\n"):
            size += len(rest)
        yield _TooLong(size + len(rest))


def _decoded(n: int, line: str | bytes) -> str | BadLine:
    """One line as text: bytes decoded as UTF-8, a byte-order mark on line 1 dropped."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return BadLine(n, f"not UTF-8 (byte 0x{line[exc.start]:02x} at column {exc.start + 1}); "
                              "save the file as UTF-8")
    return line.removeprefix("\ufeff") if n == 1 else line


def _field_problem(record: dict[str, Any]) -> str | None:
    """What is wrong with the record's ``id`` or ``url`` (a value no feed gives: ``null``, an
    object, a list, a number for a link; each once read as its Python text, "None", or a
    traceback in the cleaner), else None."""
    rid = record["id"]
    if rid is None or isinstance(rid, bool | list | dict) or str(rid).strip() == "":
        return f"'id' must be text or a number, not {shorten(repr(rid), 40)}"
    url = record.get("url")
    if url is not None and not isinstance(url, str):
        return f"'url' must be text (a link), not {shorten(repr(url), 40)}"
    # sizes a feed never gives: a 10 MB url took 1.75 GB and a 10 MB digest (stop 42)
    for key, limit in (("id", ID_CHARS), ("url", URL_CHARS), ("source", SOURCE_CHARS)):
        if len(value := str(record.get(key) or "")) > limit:
            return f"'{key}' is {len(value):,} characters long (at most {limit:,})"
    return None


def numbered_records(
    stream: Lines, errors: list[BadLine], *, repeats: bool = False
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, record); bad lines are recorded in ``errors`` and skipped.  A repeated
    id is a bad line unless ``repeats`` (``digest replay``: an entry updated in place)."""
    seen: set[str] = set()
    for n, raw in enumerate(_bounded(stream), 1):
        if isinstance(raw, _TooLong):
            errors.append(BadLine(n, f"{raw.size:,} bytes long: not read (at most {MAX_LINE_BYTES:,})"))
            continue
        line = _decoded(n, raw)
        if isinstance(line, BadLine):
            errors.append(line)
            continue
        if not line.strip():
            continue
        try:
            record = unicode_only(json.loads(line.rstrip("\r\n")))  # a cut string: unterminated
        except json.JSONDecodeError as exc:
            where = f" column {exc.colno}" if exc.msg.endswith(" at") else f" (column {exc.colno})"
            errors.append(BadLine(n, f"invalid JSON: {exc.msg}{where}"))
            continue
        if not isinstance(record, dict) or "id" not in record:
            errors.append(BadLine(n, "expected an object with an 'id'"))
            continue
        if (problem := _field_problem(record)) is not None:
            errors.append(BadLine(n, problem))
            continue
        if not (record.get("text") or record.get("html") or record.get("title")):
            errors.append(BadLine(n, "needs 'text', 'html' or 'title'"))
            continue
        if str(record["id"]) in seen and not repeats:
            errors.append(BadLine(n, f"duplicate id {record['id']!r}"))
            continue
        seen.add(str(record["id"]))
        yield n, record


def dedupe_jsonl(inp: Lines, out: TextIO) -> list[BadLine]:
    """Read JSON Lines from ``inp``, write results to ``out``; return the bad lines.  A record's
    id is written back with its C1 and bidi controls as escapes (``terminal_json``: the same
    value), not as characters a terminal acts on."""
    errors: list[BadLine] = []
    for row in dedupe_records(read_jsonl(inp, errors)):
        out.write(terminal_json(json.dumps(row, ensure_ascii=False)) + "\n")
    return errors

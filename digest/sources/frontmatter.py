"""Front matter: the block of fields on top of a Markdown or text article.  Pure.

Observations
------------
* People keep articles and notes as Markdown with a YAML block between
  ``---`` lines on top (Jekyll, Hugo, Obsidian, most static-site tools):
  ``title:``, ``date:``, ``author:``.  Hugo also writes TOML between ``+++``
  lines.  Read as plain Markdown, the block became the article's first
  paragraph (its keys were counted as words of the story) and its date was
  lost: the file's modification time stood in.
* A ``---`` line is also a Markdown rule, and a setext heading's underline:
  only a block that opens on the very first line, closes within
  ``MAX_LINES`` lines and parses to a mapping with a key static-site tools
  use (``_KNOWN_KEYS``: a rule over a heading "Update: the council voted"
  parses to a mapping too) is front matter.  Anything else is left as it
  was; so is a block that does not parse (an impossible date, an integer of
  thousands of digits).  Such a block whose lines begin with a key static-site
  tools use (``title: Council votes: yes``, a colon left unquoted) was meant
  as front matter: :func:`read_front_matter` says what is wrong with it, for
  the one line the reader gets (the text is read as written, block and all).
* The commonest such slip is a colon left unquoted in a value (``title: Votes:
  yes``); read as text, the block lost its ``title:`` line to the cleaning and
  the title was the body's first sentence (stop 64).  Where quoting each plain
  value holding ``: `` mends the block, it is read so, and the one line says
  which keys were read as written.

How it works
------------
:func:`read_front_matter` returns the fields it understands
(:class:`FrontMatter`) and the text after the block.  YAML is read with
PyYAML's safe loader and no aliases (an alias "bomb" in a downloaded file
expands to gigabytes); TOML with :mod:`tomllib`.

Special cases
-------------
* The date is the first of ``date``, ``published``, ``publishDate``,
  ``pubDate``, ``created`` (any case) that reads as ISO 8601; a time without
  a zone is UTC, a date alone is its day at 00:00 UTC.  Whether a date is
  plausible (not in the future) is for the caller.
* ``author`` may be a string, a list (the first is taken) or a mapping with a
  ``name``; ``authors`` is read the same way.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import yaml

from .dates import aware, day_only

#: Lines the block may span, its closing line included.
MAX_LINES = 200
_DATE_KEYS = ("date", "published", "publishdate", "pubdate", "created")
_FENCES = {"---": ("---", "..."), "+++": ("+++",)}
#: A block is front matter only when it has one of these keys (any case).
_KNOWN_KEYS = frozenset(
    (*_DATE_KEYS, "title", "author", "authors", "tags", "categories", "layout", "draft", "slug",
     "description", "summary", "lastmod", "updated", "aliases", "type", "lang", "language", "permalink")
)


@dataclass(frozen=True, slots=True)
class FrontMatter:
    title: str | None = None
    published: datetime | None = None
    author: str | None = None
    #: ``lang`` or ``language`` (Hugo, Jekyll), as it was written: the caller checks it.
    lang: str | None = None
    #: ``published`` was a day without its time (``date: 2019-11-19``): shown as the day.
    published_day: bool = False


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader, refusing aliases (``*name``): nothing in front matter needs them."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("aliases are not read in front matter")
        return super().compose_node(parent, index)


def _block(text: str) -> tuple[str, str, list[str], int] | None:
    """(opening fence, the block between the fences, the lines, the closing line's index) of a
    block opening on the text's first line and closing within ``MAX_LINES``; None if none."""
    lines = text.split("\n", MAX_LINES + 1)
    opening = lines[0].strip()
    closers = _FENCES.get(opening)
    if closers is None or text[:1].isspace():
        return None
    end = next((i for i in range(1, min(len(lines), MAX_LINES + 1)) if lines[i].strip() in closers), None)
    if end is None:
        return None
    return opening, "\n".join(lines[1:end]), lines, end


def _parse(opening: str, block: str) -> object:
    """The block read as YAML (``---``) or TOML (``+++``); raises ``_UNREADABLE``."""
    return yaml.load(block, Loader=_NoAliasLoader) if opening == "---" else tomllib.loads(block)


#: What a block that does not read raises: bad syntax, an impossible date (2026-13-45), an
#: integer too long, nesting too deep.
_UNREADABLE = (yaml.YAMLError, tomllib.TOMLDecodeError, RecursionError, ValueError, OverflowError)
_KEY_LINE = re.compile(r"^\s*([A-Za-z_]+)\s*[:=]", re.M)


def read_front_matter(text: str) -> tuple[FrontMatter | None, str, str | None]:
    """(the fields of the text's front matter, the text after it, why it was not read), in
    one reading: ``(None, text, None)`` when it has none; ``(None, text, problem)`` when a
    block meant as front matter (its lines begin with a key static-site tools use) does not
    parse: one line for the reader, the format and what its parser said."""
    found = _block(text)
    if found is None:
        return None, text, None
    opening, block, lines, end = found
    problem = None
    try:
        data = _parse(opening, block)
    except _UNREADABLE as exc:
        meant = bool({k.lower() for k in _KEY_LINE.findall(block)} & _KNOWN_KEYS)
        mended = _colons_quoted(block) if meant and opening == "---" else None
        if mended is None:
            return None, text, _problem(opening, exc) if meant else None
        data, keys = mended
        problem = _problem(opening, exc, read=f"{', '.join(keys)} read as written (quote a value holding ': ')")
    if not isinstance(data, dict):
        return None, text, None
    fields = {str(k).lower(): v for k, v in data.items()}
    if not _KNOWN_KEYS & fields.keys():
        return None, text, None  # "---", "Update: the council voted", "---": a rule and a heading
    rest = "\n".join(lines[end + 1 :])
    raw = next((fields[k] for k in _DATE_KEYS if _date(fields.get(k)) is not None), None)
    published = _date(raw)
    return FrontMatter(
        title=_text(fields.get("title")),
        published=published,
        published_day=published is not None and day_only(raw.strip() if isinstance(raw, str) else raw, published),
        author=_author(fields.get("author")) or _author(fields.get("authors")),
        lang=_text(fields.get("lang")) or _text(fields.get("language")),
    ), rest, problem


#: A line ``key: value`` at the block's margin whose value is plain YAML (not quoted, no list,
#: mapping, block scalar, anchor or tag) and holds ``: `` (or ends in ``:``): YAML's "mapping
#: values are not allowed here".
_COLON_LINE = re.compile(r"^([A-Za-z_][\w-]*)([ \t]*:[ \t]+)([^\s'\"\[\]{}|>&*!#%@`].*?)[ \t]*$")


def _colons_quoted(block: str) -> tuple[dict[Any, Any], list[str]] | None:
    """(the block read with each plain value holding ``: `` quoted as written, the keys so
    read) where that mends it into a mapping, else None: ``title: Votes: yes``, the colon left
    unquoted, was read as text, block and all, and the ``title:`` line dropped by the cleaning
    (the title became the body's first sentence; stop 64's review).  Only a value on its own
    line (the next line not indented under it) is quoted; the rest of the block must read."""
    lines, keys = block.split("\n"), []
    for i, line in enumerate(lines):
        m = _COLON_LINE.match(line)
        follows = lines[i + 1] if i + 1 < len(lines) else ""
        if m is None or not (": " in m[3] or m[3].endswith(":")) or follows[:1] in (" ", "\t"):
            continue
        lines[i] = f"{m[1]}{m[2]}'{m[3].replace(chr(39), chr(39) * 2)}'"
        keys.append(m[1])
    if not keys:
        return None
    try:
        data = _parse("---", "\n".join(lines))
    except _UNREADABLE:
        return None
    return (data, keys) if isinstance(data, dict) else None


def _problem(opening: str, exc: BaseException, read: str = "read as text, the block included") -> str:
    """The reader's line for a block that does not parse: the parser's words, never the file's,
    and how it was ``read``."""
    kind = "YAML" if opening == "---" else "TOML"
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem and exc.problem_mark is not None:
        said = f"{exc.problem}, line {exc.problem_mark.line + 2} of the file"
    else:
        said = " ".join(str(exc).split("\n")[0].split())[:120] or type(exc).__name__
    return f"its front matter is not valid {kind} ({said}); {read}"


def _text(value: object) -> str | None:
    """A field as text: a string, or a number (``title: 1984``); lone surrogates (a YAML
    escape) replaced."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.encode("utf-8", "replace").decode("utf-8").strip()
    return value or None


def _date(value: object) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:  # not ISO 8601
            return None
    if isinstance(value, datetime):
        return aware(value)  # None where year 1 moves across midnight
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


def _author(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return _text(value) if isinstance(value, str) else None

"""A configuration's problems, each with its line: what ``digest.config`` reports.

Observations
------------
* pydantic names a problem by its key path (``("sources", 2, "url")``) and
  PyYAML knows where each key was written; a user needs both, and every
  problem at once, in file order, not the first one of a traceback.

How it works
------------
:func:`problems_of` turns pydantic's errors into ``(line, "key path: problem")``
pairs, the line found by walking the composed YAML node (:func:`line_of`); an
unknown key is offered the closest known key of the model at its place
(:func:`model_at` walks the models from ``root``), a value YAML read as a
number or a yes/no where text belongs is asked to be quoted.
:func:`duplicate_names` finds a source name used twice, at the second one's
line; :func:`raise_problems` raises one :class:`ConfigError` listing them all.
:func:`same_feeds` finds one feed listed under two spellings of its URL
(``http``/``https``, ``www.``, a default port, a trailing ``/``: the key of
``digest.text.identity.feed_key``): each would be a source of its own and every
article would be stored and shown twice.  That is a warning, not a problem (the
configuration still loads): a site may, rarely, serve two feeds so.  A disabled
source reads nothing and is left out of the comparison.
:func:`yaml_slip` says a YAML error at the line to mend, where PyYAML's mark is often the
line after it (a key without its ':', a line indented too far, a quote left open).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any, NoReturn, Protocol, get_args

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import ConfigError, without_password
from ..text.identity import feed_key

#: How a repeated source name is reported (the model's own check and ``duplicate_names``).
DUPLICATE = "duplicate source name"


def key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Find the YAML line of a key path, for error messages."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == part:
                    node, line = v, k.start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model whose mapping sits at a key path (``("sources", 0)`` -> SourceConfig)."""
    model = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)
        if field is None:
            return None
        found = _model_in(field.annotation)
        if found is None:
            return None
        model = found
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _known_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or n for n, f in model.model_fields.items() if not f.exclude]


def unknown_key(root: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """'unknown key', with the closest known key at that place, or the known keys."""
    model = model_at(root, loc[:-1])
    if model is None:
        return "unknown key"
    known = _known_keys(model)
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    if close:
        return f"unknown key; did you mean {close[0]!r}?"
    return f"unknown key (known here: {', '.join(known)})"


def _shown(value: object, limit: int = 80) -> str:
    """A value as the error line quotes it, its first ``limit`` characters (a list of a
    hundred thousand values was quoted whole, on one line)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def problems_of(root: type[BaseModel], exc: ValidationError, node: yaml.Node | None) -> list[tuple[int, str]]:
    """(line, 'key path: problem') for every problem pydantic found."""
    out: list[tuple[int, str]] = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if p not in ("function-after",))
        msg = err["msg"].removeprefix("Value error, ")
        if DUPLICATE in msg and not loc:
            continue  # reported at the duplicate's own line (duplicate_names)
        if err["type"] == "extra_forbidden":
            msg = unknown_key(root, loc)
        elif err["type"] == "missing":
            msg = "required, but missing"
        elif err["type"] == "string_type":  # YAML read a number, a yes/no or nothing there
            got = err.get("input")
            msg = "needs text, not nothing" if got is None else f"needs text, not {_shown(got)} (write it in quotes)"
        elif err["type"] in ("bool_parsing", "bool_type"):  # pydantic: "unable to interpret input"
            got = err.get("input")
            msg = "must be true or false, not nothing" if got is None else f"must be true or false, not {_shown(got)}"
        elif err["type"] == "list_type":  # one value where a list goes: `to: me@example.com`
            msg = list_needed(err.get("input"), of_text=loc[-1:] != ("sources",))
        elif err["type"] == "model_type":  # pydantic: "... valid dictionary or instance of SourceConfig"
            msg = mapping_needed(err.get("input"), source=len(loc) == 2 and loc[0] == "sources")
        elif err["type"] in ("datetime_from_date_parsing", "datetime_parsing", "datetime_type"):
            # pydantic: "Input should be a valid datetime or date, input is too short" (`clock: yesterday`)
            got = err.get("input")
            msg = (f"needs a date and time, not {'nothing' if got is None else _shown(got)}: "
                   "write one with its zone, such as 2026-11-20T20:00:00Z (ISO 8601)")
        out.append((line_of(node, loc) or 0, f"{key_path(loc)}: {msg}"))
    return out


def list_needed(got: object, *, of_text: bool = True) -> str:
    """The problem of a value given where a list goes, and how to write it (pydantic said
    "Input should be a valid list": stop 50 review, `allow_hosts: 127.0.0.1:8765` and
    `to: me@example.com`, the first settings a new user writes by hand).  ``of_text``: a list
    of values (not of sources, each a mapping), which ``[value]`` writes."""
    if got is None:
        return "needs a list, not nothing"
    if of_text and isinstance(got, str | int | float) and not isinstance(got, bool):
        return f"needs a list, not {_shown(got)}: write {_as_list(got)} (in brackets, or one '- ' line each)"
    if isinstance(got, dict) and isinstance(got.get("name"), str | int | float):  # one source, one digest
        # without its dash: "needs a list, not {'name': 'A', 'url': ...}" said what, not how
        return (f"needs a list, not one mapping: each item starts with '- ' (- name: {got['name']}, "
                "its other keys indented under 'name')")
    return f"needs a list, not {_shown(got)}"


def mapping_needed(got: object, *, source: bool) -> str:
    """The problem of one value given where keys go, and how to write it: pydantic named the class
    ("Input should be a valid dictionary or instance of SourceConfig") for a list of bare feed
    URLs, `- https://example.com/feed.xml`, a new user's first guess (stop 64's review).  A key
    or item left empty (`fetch:` its keys commented out, a lone `-`) is "nothing", as
    :func:`list_needed` says it, not Python's "None"."""
    shown = "nothing" if got is None else _shown(got)
    if not source:
        return f"needs keys under it, indented, not {shown}"
    if isinstance(got, str) and got.strip():
        key = "url" if re.match(r"(?i)\s*https?://", got) else "path"
        return (f"needs a name and a url or path, not {_shown(got)}: write '- name: NAME' and under it, "
                f"indented, '{key}: {got.strip()}'")
    return f"needs a name and a url or path ('- name: NAME' and under it 'url: ...'), not {shown}"


def _as_list(got: str | int | float) -> str:
    """``got`` in brackets as YAML reads it back: ``[got]`` (``[a.example, b.example]``, the two
    values typed apart by a comma), else quoted (``['::1']``, ``['[::1]:8080']``, ``['a: b']``):
    the advice ``write [::1]`` was itself a YAML syntax error, and ``[a: b]`` a mapping."""
    plain = f"[{got}]"
    try:
        read = yaml.safe_load(plain)
    except yaml.YAMLError:
        read = None
    if isinstance(read, list) and read and all(type(v) is type(got) for v in read):
        return plain
    return str(yaml.safe_dump([got], default_flow_style=True, width=1 << 20)).strip()


def duplicate_names(data: dict[str, Any], node: yaml.Node | None) -> list[tuple[int, str]]:
    """A source name used twice, reported at the second one's ``name:`` line."""
    out: list[tuple[int, str]] = []
    first: dict[str, int] = {}
    sources = data.get("sources")
    for i, src in enumerate(sources if isinstance(sources, list) else []):
        name = src.get("name") if isinstance(src, dict) else None
        if not isinstance(name, str):
            continue
        line = line_of(node, ("sources", i, "name")) or 0
        if name in first:
            out.append((line, f"sources[{i}].name: {DUPLICATE} {name!r} (first at line {first[name]})"))
        else:
            first[name] = line
    return out


class _Source(Protocol):
    name: str
    url: str | None
    enabled: bool


def same_feeds(sources: Sequence[_Source], node: yaml.Node | None) -> list[tuple[int, str]]:
    """One ``(line, message)`` per source whose URL reads the same feed as an earlier source's
    (:func:`~digest.text.identity.feed_key`), at the later one's ``url:`` line, naming both."""
    out: list[tuple[int, str]] = []
    first: dict[str, int] = {}
    for i, src in enumerate(sources):
        if src.url is None or not src.enabled:
            continue
        j = first.setdefault(feed_key(src.url), i)
        if j != i:
            other = sources[j]
            out.append((line_of(node, ("sources", i, "url")) or 0,
                        f"sources[{i}] {src.name!r} reads the same feed as sources[{j}] {other.name!r} "
                        f"({without_password(src.url)} and {without_password(other.url or '')}): "
                        "every article would be read twice; remove one"))
    return out


def raise_problems(name: str, problems: list[tuple[int, str]]) -> NoReturn:
    """One ConfigError listing every problem, in file order, each with its file:line."""
    lines = [f"{name}:{line}: {text}" if line else f"{name}: {text}" for line, text in sorted(problems)]
    raise ConfigError("\n".join(lines))


def yaml_slip(text: str, exc: yaml.YAMLError) -> tuple[int | None, str]:
    """Where a YAML error is to be mended (its line, None when PyYAML names none) and what it
    is.  PyYAML names the place it noticed the slip, often a line after the one to edit:

    * something left open (a '[', a quote, a key without its ':') is said where it was opened,
      the line it was noticed named after (stop 46 review: a '[' of line 3 said at line 20);
    * a value (or a key) that ran on into the next lines: ``- name My articles`` over
      ``path: articles`` (a ':' missing) or a line indented one space too far are "mapping
      values are not allowed here" at the *next* line; ``path: "articles`` is "expected <block
      end>" where the quote closes, lines later.  The text's first token is read again
      (:func:`_ran_on`): a key without its ':' is said at its own line, a value that took the
      next line in at the next line, naming the key it continues (``-name`` for ``- name``);
      a quote at the line it opens.  Each names both lines."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is None:
        return None, problem
    began, context = getattr(exc, "context_mark", None), getattr(exc, "context", None)
    if (began is not None and context and began.line < mark.line
            and any(w in context for w in ("flow", "quoted", "simple key"))):
        return began.line + 1, f"{problem} at line {mark.line + 1} ({context} from here)"
    ran = _ran_on(text, mark.index)
    if ran is None:
        return mark.line + 1, problem
    scalar, key, key_line = ran
    first, last, seen = scalar.start_mark.line + 1, scalar.end_mark.line + 1, mark.line + 1
    if scalar.style in ("'", '"'):
        return first, f"{problem} at line {seen} (the quote opened on line {first} closes on line {last})"
    if key is not None:
        return seen, (f"{problem} (line {seen} is indented further than line {key_line}'s key "
                      f"{key!r}, so it reads as the rest of that key's value)")
    if not any(c.isspace() for c in text[scalar.start_mark.index:text.find("\n", scalar.start_mark.index)].strip()):
        # one word ("- 127.0.0.1:8080"): no key without its ':', the next line is too far in
        return seen, (f"{problem} (line {seen} is indented further than line {first}'s item, so it "
                      "reads as the rest of that item)")
    return first, f"{problem} at line {seen} (line {first}'s text runs on into line {seen}: a ':' missing on line {first}?)"


def _ran_on(text: str, at: int) -> tuple[yaml.ScalarToken, str | None, int] | None:
    """The scalar just before offset ``at`` when it ran from an earlier line into ``at``'s,
    the key it is the value of (None when it is no value: a key, a list item) and that key's
    line (a value may begin on the line after its key); None when the token before ``at`` is
    no such scalar."""
    before: list[yaml.Token] = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= at:
                break
            before.append(token)
    except yaml.YAMLError:
        pass  # the slip itself: the tokens before it are read
    if not before or not isinstance(before[-1], yaml.ScalarToken):
        return None
    scalar = before[-1]
    if not scalar.start_mark.line < scalar.end_mark.line == text.count("\n", 0, at):
        return None  # on one line, or it ended lines before: what follows it is the slip
    key, key_line = None, 0
    if len(before) >= 3 and isinstance(before[-2], yaml.ValueToken) and isinstance(before[-3], yaml.ScalarToken):
        key, key_line = str(before[-3].value), before[-3].start_mark.line + 1
    return scalar, key, key_line

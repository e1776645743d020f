"""Configuration: ``feeds.yaml`` read into a :class:`~digest.config.model.Config`.

How it works
------------
The YAML is parsed with PyYAML's safe loader (base-60 numbers read as text, aliases counted
before anything reads them), then validated by the models of ``digest.config.model``.  Every
problem becomes one line of the :class:`ConfigError` naming the file, the line (where YAML
knows it) and the key path (``feeds.yaml:7: sources[2].url: ...``); all of them are listed,
in file order.  An unknown key is offered the closest known key at its place (``nmae``: did
you mean 'name'?), and a repeated source name is reported at its own line
(``digest.config.problems``).  Nothing half-read is ever returned.

Special cases
-------------
* One feed listed twice under URLs that differ only in spelling (``http``
  and ``https``, ``www.``, a trailing ``/``, ``localhost`` for ``127.0.0.1``) is one warning line naming both
  entries (``problems.same_feeds``), not an error: the file loads.
* A folder the configuration names that cannot be one (``templates`` missing, ``output_dir``
  a file) is one line naming the key, not a traceback after the sources were read.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
from pathlib import Path

import yaml
from pydantic import ValidationError

from ..errors import ConfigError
from .model import Config
from .problems import duplicate_names, line_of, problems_of, raise_problems, same_feeds, yaml_slip

log = logging.getLogger(__name__)


#: A YAML 1.1 base-60 number: ``7:30`` (450), ``25:00``, ``1:30.5``.
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")


class _Loader(yaml.SafeLoader):
    """YAML as PyYAML reads it, except base-60 numbers: ``digest_time: 7:30`` unquoted is the
    text ``7:30``, not the integer 450 (refused as "Input should be a valid string")."""

    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and implicit[0] and value is not None and _BASE60.fullmatch(value):
            return "tag:yaml.org,2002:str"
        tag: str = super().resolve(kind, value, implicit)
        return tag

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:  # type: ignore[override]
        """A value shaped as a date that is none (``clock: 2026-13-01``, ``name: 2026-02-30``) is
        its text, which the key's check then says what it is not: PyYAML's ``ValueError`` ("month
        must be in 1..12") was a traceback (stop 65 review)."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


#: Values (scalars, lists and mappings) the configuration may stand for once its aliases are
#: read: ``*name`` repeats the value ``&name`` marks, so nine lines of nine aliases each (a
#: "billion laughs") stand for 387 million values, which the checks walked: ``digest run`` took
#: 92 s and 16 GB to print one error line of 2 GB quoting them (stop 42).  A configuration of
#: 1,000 sources holds about 5,000.
MAX_VALUES = 100_000


def _values(root: yaml.Node) -> int:
    """How many values the document stands for with its aliases read, counted on the composed
    graph (each node once) up to just past ``MAX_VALUES``; a value holding itself is past it."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        sizes[key] = MAX_VALUES + 1  # while it is counted: a value inside itself
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += size(child)
                if total > MAX_VALUES:
                    break
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
                if total > MAX_VALUES:
                    break
        sizes[key] = total = min(total, MAX_VALUES + 1)
        return total

    return size(root)


def read_plain(value: str) -> object:
    """What the configuration's loader reads ``value`` written plain as (``digest.config.edit``
    quotes what would not read back as the text: ``Yes`` is ``True`` to YAML 1.1); None where it
    is no YAML of its own (``@x``, ``! x``)."""
    try:
        return yaml.load(value, Loader=_Loader)
    except yaml.YAMLError:
        return None


def _folder_problems(cfg: Config, node: yaml.Node | None) -> list[tuple[int, str]]:
    """The folders the configuration names that cannot be one: ``templates`` missing or not a
    folder; ``output_dir`` or ``data_dir`` (made when missing) an existing file, or under one;
    and ``email.ca_file`` missing, unreadable or holding no PEM certificate.
    Caught here, they are one line naming the key, not a traceback after the sources were read."""
    out = []
    if cfg.templates is not None and not cfg.templates.is_dir():
        what = "not a folder" if cfg.templates.exists() else "no such folder"
        out.append((line_of(node, ("templates",)) or 0, f"templates: {what}: {cfg.templates}"))
    for key in ("output_dir", "data_dir"):
        folder: Path = getattr(cfg, key)
        if key == "data_dir" and cfg.database:
            continue
        blocking = next((p for p in (folder, *folder.parents) if p.exists()), None)
        if blocking is not None and not blocking.is_dir():
            out.append((line_of(node, (key,)) or 0, f"{key}: not a folder: {blocking} is a file"))
    if cfg.email is not None and cfg.email.ca_file is not None:
        from ..output.smtpclient import ca_problem

        problem = ca_problem(cfg.email.ca_file)  # caught here, not at 07:00 by the daemon
        if problem:
            out.append((line_of(node, ("email", "ca_file")) or 0, f"email.ca_file: {problem}"))
    return out


def parse_config(text: str, *, path: Path, base: Path | None = None) -> Config:
    """Validate configuration text; raise :class:`ConfigError` with one line per problem."""
    name = str(path)
    try:
        node = yaml.compose(text, Loader=_Loader)
        if node is not None and _values(node) > MAX_VALUES:  # before anything reads them
            raise ConfigError(f"{name}: not read: its aliases (*name) stand for more than "
                              f"{MAX_VALUES:,} values")
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader
    except yaml.YAMLError as exc:
        line, problem = yaml_slip(text, exc)
        raise ConfigError(f"{name}{'' if line is None else f':{line}'}: invalid YAML: {problem}") from None
    except RecursionError:  # PyYAML composes a nested value by recursion: a traceback
        raise ConfigError(f"{name}: invalid YAML: values nested too deeply") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: expected a mapping at the top level, got {type(data).__name__}")
    problems = duplicate_names(data, node)
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        raise_problems(name, problems + problems_of(Config, exc, node))
    if problems:
        raise_problems(name, problems)
    cfg.config_path = path
    cfg.resolve(base if base is not None else path.parent)
    for i, s in enumerate(cfg.sources):
        line = line_of(node, ("sources", i, "path")) or 0
        if s.path is not None and not s.path.exists():
            cfg._missing.append((s.name, f"{name}:{line}: sources[{i}].path: no such file or folder: {s.path}"))
        elif s.path is not None and not os.access(s.path, os.R_OK):
            problems.append((line, f"sources[{i}].path: not readable: {s.path}"))
    problems += _folder_problems(cfg, node)
    if problems:
        raise_problems(name, problems)
    for line, twin in same_feeds(cfg.sources, node):  # a warning: both are still read
        log.warning("%s:%d: %s", name, line, twin)
    from ..sources.lists import expand_lists

    cfg.sources, listed, cfg._list_notes = expand_lists(cfg.sources)  # an OPML list stands for its feeds
    for i, problem in listed:
        problems.append((line_of(node, ("sources", i, "path")) or 0, f"sources[{i}].path: {problem}"))
    from .refs import unknown_names

    problems += unknown_names(cfg, node, line_of)  # after the lists: their folders are categories
    if problems:
        raise_problems(name, problems)
    return cfg


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate a configuration file."""
    p = Path(path).expanduser()
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        hint = "digest init" if str(path) == "feeds.yaml" else f"digest init {shlex.quote(str(path))}"
        raise ConfigError(f"{p}: configuration file not found ('{hint}' writes a starter one)") from None
    except IsADirectoryError:  # --config out/ for --config out/feeds.yaml
        raise ConfigError(f"{p}: a folder, not a configuration file (name the YAML file in it)") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read configuration: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{p}: not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
                          "save the file as UTF-8") from None
    return parse_config(text, path=p.resolve())

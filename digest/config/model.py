"""Configuration: ``feeds.yaml`` read, validated and resolved.

How it works
------------
The YAML is parsed with PyYAML's safe loader, then validated by pydantic
models that forbid unknown keys.  Every problem becomes one line of the
:class:`ConfigError` naming the file, the line (where YAML knows it) and the
key path (``feeds.yaml:7: sources[2].url: ...``); all of them are listed, in
file order.  An unknown key is offered the closest known key at its place
(``nmae``: did you mean 'name'?), and a repeated source name is reported at
its own line (``digest.config.problems``).  A digest's section that no source has as its ``category`` is
an error at its line, with the closest category or the known ones (a section
nothing can fill would put every story under "Other" without a word).  Nothing
half-read is ever returned.

Special cases
-------------
* Relative paths (``path``, ``output_dir``, ``database``, ``data_dir``,
  ``templates``) resolve against the configuration file's folder, not the
  current directory, so ``digest run --config /etc/digest/feeds.yaml`` works
  from anywhere.
* ``database`` may be a plain path (SQLite) or a URL (``sqlite:///...``,
  ``postgresql://...``); URLs are kept as they are.
* One feed listed twice under URLs that differ only in spelling (``http``
  and ``https``, ``www.``, a trailing ``/``, ``localhost`` for ``127.0.0.1``) is one warning line naming both
  entries (``problems.same_feeds``), not an error: the file loads.
"""

from __future__ import annotations

import logging
import math
import os
import re
import shlex
from datetime import datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import ConfigError
from ..output.params import BACKLOG_DAYS
from .problems import DUPLICATE, duplicate_names, line_of, problems_of, raise_problems, same_feeds

log = logging.getLogger(__name__)

#: The section of a digest's stories in none of its sections; it may be listed to place it.
OTHER = "Other"


def _hhmm(v: str) -> str:
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", v):
        raise ValueError(f"must be HH:MM (got {v!r})")
    return v


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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class SourceConfig(_Strict):
    name: str = Field(min_length=1)
    url: str | None = None
    path: Path | None = None
    priority: float = 0.0
    #: Poll interval in minutes for the daemon (default: ``poll_minutes``).
    interval: float | None = Field(default=None, gt=0)
    enabled: bool = True
    #: A label to group sources by (an OPML folder: ``digest import-opml`` / ``export-opml``);
    #: a digest's ``sections`` are categories.
    category: str | None = None
    #: Fetch each new entry's page and use its extracted text when longer and clean (for
    #: feeds that carry a summary only); the summary stays as the fallback.
    full_text: bool = False

    @model_validator(mode="after")
    def _one_of_url_or_path(self) -> SourceConfig:
        if (self.url is None) == (self.path is None):
            raise ValueError("needs exactly one of 'url' or 'path'")
        if self.url is not None and not re.match(r"^https?://", self.url, re.I):
            raise ValueError(f"url must start with http:// or https:// (got {self.url!r})")
        return self


class FetchConfig(_Strict):
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=20.0, gt=0)
    #: Overall deadline for one fetch, seconds (a slow drip is cut off).
    deadline: float = Field(default=60.0, gt=0)
    #: Response size cap after decompression, bytes.
    max_bytes: int = Field(default=15 * 1024 * 1024, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    #: Refuse hosts resolving to private/loopback/link-local addresses.
    block_private: bool = True
    #: Hosts (names, IPs, CIDR networks) exempt from ``block_private``, each optionally with
    #: a port (``127.0.0.1:8080``, ``[::1]:8080``); see ``digest.sources.addresses``.
    allow_hosts: list[str] = Field(default_factory=list)
    concurrency: int = Field(default=16, gt=0)
    per_host: int = Field(default=2, gt=0)
    user_agent: str = "digest/0.1 (+https://example.invalid/digest)"

    @field_validator("allow_hosts")
    @classmethod
    def _allow_entries(cls, v: list[str]) -> list[str]:
        if v:
            from ..sources.addresses import parse_allow_entry

            for entry in v:
                parse_allow_entry(entry)  # ValueError names the entry
        return v


class DedupConfig(_Strict):
    #: A story accepts new versions for this many days after its latest one.
    window_days: float = Field(default=30.0, gt=0)


class EmailConfig(_Strict):
    host: str
    port: int = Field(default=587, gt=0, lt=65536)
    security: Literal["ssl", "starttls", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = None
    from_: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    subject: str = "digest for {date}: {count}"
    #: Seconds the mail server has for each step (connect, greeting, every command).
    timeout: float = Field(default=30.0, gt=0, le=600)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ScheduleConfig(_Strict):
    #: Local time (in ``timezone``) at which the daily digest is built and sent.
    digest_time: str = "07:00"
    #: Default poll interval for sources, minutes.
    poll_minutes: float = Field(default=30.0, gt=0)
    #: A source failing continuously for this many hours is paused.
    pause_after_hours: float = Field(default=72.0, gt=0)
    #: A paused source (not one the server called gone) is tried again this many hours
    #: apart, and resumes by itself when a read works; 0: it waits for ``--resume``.
    paused_retry_hours: float = Field(default=24.0, ge=0)

    @field_validator("digest_time")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        return _hhmm(v)


class FilterRule(_Strict):
    """One rule: ``mute`` leaves a story out, ``boost`` puts it first in its section, when
    any of its versions matches (case-insensitive, over title and clean text) within the
    scope (``categories`` and/or ``sources``; none: every version)."""

    mute: str | None = None
    boost: str | None = None
    categories: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_pattern(self) -> FilterRule:
        if (self.mute is None) == (self.boost is None):
            raise ValueError("needs exactly one of 'mute' or 'boost'")
        from ..output.filters import compile_pattern, matches_everything

        compiled = compile_pattern(self.mute or self.boost or "")  # ValueError names the problem
        if not self.categories and not self.sources and matches_everything(compiled):
            raise ValueError(
                f"{self.kind} {self.pattern!r} matches empty text, so every story (a stray '|'?); "
                "to mean every version of some sources, give them as 'sources' or 'categories'"
            )
        return self

    @property
    def kind(self) -> str:
        return "mute" if self.mute is not None else "boost"

    @property
    def pattern(self) -> str:
        return self.mute if self.mute is not None else (self.boost or "")


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class DigestConfig(_Strict):
    """One of several digests: its own sections, rules, schedule and recipients."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    #: Categories, in this order; stories of no listed category go under "Other".
    sections: list[str] = Field(default_factory=list)
    #: ``day`` (the day that ended) or ``week`` (the week that ended, on ``weekday``).
    every: Literal["day", "week"] = "day"
    weekday: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = "monday"
    #: Local time (``timezone``) at which the daemon builds and mails it.
    time: str = "07:00"
    to: list[str] = Field(default_factory=list)
    #: This digest's own rules, added to the global ``filters``.
    filters: list[FilterRule] = Field(default_factory=list)

    @field_validator("time")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        return _hhmm(v)


#: Days a prune keeps beyond the engine's two windows: the engine in memory is rebuilt once a
#: day (``digest.app.ENGINE_RENEW``: it may hold a day more than its span) and a publication
#: time is believed up to two days after the arrival (``digest.sources.dates``).
KEEP_MARGIN = 3


def least_keep_days(window_days: float) -> int:
    """The fewest days a prune may keep: what the engine's rebuild reads (two windows), and
    :data:`KEEP_MARGIN`."""
    return math.ceil(2 * window_days) + KEEP_MARGIN


class Config(_Strict):
    sources: list[SourceConfig] = Field(default_factory=list)
    output_dir: Path = Path("out")
    data_dir: Path = Path("data")
    database: str | None = None
    #: Shared candidate index for several workers (``redis://host:port/db?basename=x``,
    #: ``digest.dedup.index_redis``); in memory when absent.
    index: str | None = None
    timezone: str = "UTC"
    #: How dates are written in the digest ("Tue 1 Dec, 10:06 UTC" in en_GB): a CLDR locale
    #: name such as en_GB, en_US, de_DE, fr (``digest.output.dates.format_time``).
    locale: str = "en_GB"
    templates: Path | None = None
    title: str = "digest"
    #: Characters of the lead's text shown as the excerpt.
    excerpt_chars: int = Field(default=400, gt=0)
    fetch: FetchConfig = Field(default_factory=FetchConfig)
    dedup: DedupConfig = Field(default_factory=DedupConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    email: EmailConfig | None = None
    #: Mute and boost rules applied to every digest.
    filters: list[FilterRule] = Field(default_factory=list)
    #: Several digests; without it there is one daily digest, as before.
    digests: list[DigestConfig] = Field(default_factory=list)
    #: Days the store keeps (today included): ``digest prune``, and the daemon once a day after
    #: the digest, remove the stories wholly older (``digest.retention``).  None: kept for ever.
    keep_days: int | None = Field(default=None, gt=0)
    #: Days before its arrival an item of a new source's first read must have been published to
    #: be listed apart as earlier news (``digest.output.params.BACKLOG_DAYS``); 0: never, a new
    #: source's old items are the day's news as any.
    backlog_days: float = Field(default=BACKLOG_DAYS, ge=0)
    #: Read the sources as if it were this moment, and make its day "today" (``digest run``,
    #: ``build``, ``send`` and ``serve``; the daemon refuses it): the bundled examples are
    #: one day's news.  None: the real clock.
    clock: datetime | None = None

    #: Where the configuration was read from (not a YAML key).
    config_path: Path | None = Field(default=None, exclude=True)
    #: What the OPML lists among the sources name and no source reads, one line each
    #: (``digest.sources.lists``; ``digest sources`` shows them).
    _list_notes: list[str] = PrivateAttr(default_factory=list)

    #: The sources whose ``path:`` is missing, each with its line (``file:line: problem``):
    #: ``digest.app.open_app`` stops on one never read (a typo), and a source read before (its
    #: folder on a drive not mounted) fails alone at its poll, the other sources read.
    _missing: list[tuple[str, str]] = PrivateAttr(default_factory=list)

    @property
    def missing_paths(self) -> list[tuple[str, str]]:
        """(source name, its line) of each source whose ``path:`` is missing."""
        return self._missing

    @property
    def list_notes(self) -> list[str]:
        """What the OPML lists among the sources name and no source reads, one line each."""
        return self._list_notes

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {v!r}") from exc
        return v

    @field_validator("locale")
    @classmethod
    def _locale(cls, v: str) -> str:
        from babel import Locale, UnknownLocaleError

        try:
            return str(Locale.parse(v.strip().replace("-", "_")))
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError(f"unknown locale {v!r} (a name such as en_GB, en_US, de_DE)") from exc

    @field_validator("clock")
    @classmethod
    def _aware_clock(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.utcoffset() is None:
            raise ValueError(f"needs a time zone, such as {v.isoformat()}Z or +01:00")
        return v

    @field_validator("index")
    @classmethod
    def _index_url(cls, v: str | None) -> str | None:
        if v is not None:
            from ..dedup.index_redis import parse_index_url

            parse_index_url(v)  # ValueError names the problem
        return v

    @model_validator(mode="after")
    def _keep_enough(self) -> Config:
        least = least_keep_days(self.dedup.window_days)
        if self.keep_days is not None and self.keep_days < least:
            raise ValueError(f"keep_days: {self.keep_days} is too few: the dedup engine reads the last "
                             f"{least} (two windows of {self.dedup.window_days:g} days and {KEEP_MARGIN} more)")
        return self

    @model_validator(mode="after")
    def _unique_names(self) -> Config:
        seen: set[str] = set()
        for i, s in enumerate(self.sources):
            if s.name in seen:
                raise ValueError(f"sources[{i}]: {DUPLICATE} {s.name!r}")
            seen.add(s.name)
        names: set[str] = set()
        for i, d in enumerate(self.digests):
            if d.name in names:
                raise ValueError(f"digests[{i}]: a second digest named {d.name!r}")
            names.add(d.name)
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def now(self) -> datetime:
        """The time it is for digest: ``clock`` when set, else the real time (UTC)."""
        from datetime import UTC

        return self.clock.astimezone(UTC) if self.clock is not None else datetime.now(UTC)

    @property
    def database_url(self) -> str:
        """The store's location as a URL (``sqlite:///abs/path`` or a server URL)."""
        if self.database and "://" in self.database:
            return self.database
        path = Path(self.database) if self.database else self.data_dir / "digest.sqlite3"
        return f"sqlite:///{path}"

    def resolve(self, base: Path) -> Config:
        """Resolve relative paths against ``base`` (the config file's folder)."""

        def r(p: Path) -> Path:
            p = p.expanduser()
            return p if p.is_absolute() else (base / p).resolve()

        self.output_dir = r(self.output_dir)
        self.data_dir = r(self.data_dir)
        if self.templates is not None:
            self.templates = r(self.templates)
        if self.database and "://" not in self.database:
            self.database = str(r(Path(self.database)))
        for s in self.sources:
            if s.path is not None:
                s.path = r(s.path)
        return self


def _folder_problems(cfg: Config, node: yaml.Node | None) -> list[tuple[int, str]]:
    """The folders the configuration names that cannot be one: ``templates`` missing or not a
    folder; ``output_dir`` or ``data_dir`` (made when missing) an existing file, or under one.
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
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{name}{where}: invalid YAML: {problem}") from None
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

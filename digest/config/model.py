"""Configuration: the settings of ``feeds.yaml``, validated and resolved.

How it works
------------
Pydantic models that forbid unknown keys (``digest.config.reading`` reads the file and turns
what they report into one line a problem).  A digest's section that no source has as its
``category`` is an error at its line, with the closest category or the known ones (a section
nothing can fill would put every story under "Other" without a word).

Special cases
-------------
* Relative paths (``path``, ``output_dir``, ``database``, ``data_dir``,
  ``templates``) resolve against the configuration file's folder, not the
  current directory, so ``digest run --config /etc/digest/feeds.yaml`` works
  from anywhere.
* ``database`` may be a plain path (SQLite) or a URL (``sqlite:///...``,
  ``postgresql://...``); URLs are kept as they are.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from email.utils import getaddresses
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from ..output.params import BACKLOG_DAYS
from .problems import DUPLICATE

#: The section of a digest's stories in none of its sections; it may be listed to place it.
OTHER = "Other"


#: A mail address's parts: the local part (no space, no ``<>()[],;:"@``, or quoted) and the
#: domain's labels (letters of any script, digits, ``-``: an IDN as written or as ``xn--``),
#: or an address literal (``[192.0.2.1]``).
_LOCAL = re.compile(r'[^\s<>()\[\],;:"@]+|"[^"\r\n]+"')
_LABEL = re.compile(r"(?!-)[^\W_](?:[^\W_]|-)*(?<!-)")  # \w less "_", unicode: bücher, 例え


#: Outlook's "Last, First <addr>": a display name holding a comma, not quoted, before one address.
_UNQUOTED_NAME = re.compile(r'\s*([^<>@"\\]*,[^<>@"\\]*?)\s*<([^<>]*)>\s*')


def quote_name(v: str) -> str:
    """``v`` with a display name holding a comma quoted where it is not (Outlook's "Doe, Ann
    <ann@x.example>": '"Doe, Ann" <ann@x.example>'), else ``v``.  Unquoted, the standard's
    parser (``email.utils.getaddresses``, a reader of a To: line) reads it as two, "Doe" and
    "Ann <ann@x.example>": refused as "holds 2 addresses" (stop 65)."""
    m = _UNQUOTED_NAME.fullmatch(v)  # the name's line breaks folded: quoted, a "\n" was kept in
    return f'"{" ".join(m[1].split())}" <{m[2]}>' if m else v  # a To: line a send refused


def mail_address(v: str) -> str:
    """An entry of ``to:`` or ``from:`` (and ``digest send --again --to``): one mail address, bare or with its display name
    ("Ann <ann@example.com>", "\"Doe, Ann\" <ann@example.com>", "Doe, Ann <ann@example.com>"
    given back quoted: :func:`quote_name`), IDN domains as written.
    Not checked when the file loaded, ``to: [not-an-address]`` was "sent" to a server that
    took anything and only a real server's refusal said it (stop 64's review)."""
    given, v = v, quote_name(v)
    found = [a for _, a in getaddresses([v]) if a]
    addr = found[0] if len(found) == 1 else ""
    local, at, domain = addr.rpartition("@")
    fine = at and _LOCAL.fullmatch(local) and not local.startswith(".") and not local.endswith(".") \
        and ".." not in local and (all(_LABEL.fullmatch(x) for x in domain.split("."))
                                   or re.fullmatch(r"\[[0-9A-Fa-f.:v]+\]", domain))
    if not fine:
        if len(many := [a for a in found if "@" in a]) > 1:  # "Doe, Ann <a@x>, b@x": 2, not "Doe"'s 3
            raise ValueError(f"{given!r} holds {len(many)} addresses: list each as an entry of its own")
        raise ValueError(f"{given!r} is not a mail address (write name@example.com or Ann <ann@example.com>)")
    return v


MailAddress = Annotated[str, AfterValidator(mail_address)]


def _hhmm(v: str) -> str:
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", v):
        raise ValueError(f"must be HH:MM (got {v!r})")
    return v


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
    #: The site's own page (an OPML outline's ``htmlUrl``): not read, kept so that
    #: ``digest export-opml`` gives it back (stop 55: an import and export lost every one).
    site: str | None = None

    @field_validator("url", "site")
    @classmethod
    def _http(cls, v: str | None) -> str | None:
        """Said at the key's own line ("sources[0].url: must start ..."), not at the source's
        ``name:`` line as the model's check said it (stop 65 review)."""
        if v is not None and not re.match(r"^https?://", v, re.I):
            raise ValueError(f"must start with http:// or https:// (got {v!r})")
        return v

    @model_validator(mode="after")
    def _one_of_url_or_path(self) -> SourceConfig:
        if (self.url is None) == (self.path is None):
            raise ValueError("needs exactly one of 'url' or 'path'")
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

    @field_validator("user_agent")
    @classmethod
    def _header_value(cls, v: str) -> str:
        # Sent as a header's bytes: one character beyond printable ASCII (an umlaut, a typed
        # dash) failed every fetch with "internal error: UnicodeEncodeError", a line break
        # with httpx's "Illegal header value", each source blamed (and paused in the end).
        bad = next((c for c in v if not " " <= c <= "~"), None)
        if bad is not None:
            raise ValueError(f"must be printable ASCII, as HTTP sends it (not {bad!r}): {v[:80]!r}")
        return v

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
    from_: MailAddress = Field(alias="from")
    to: list[MailAddress] = Field(min_length=1)
    subject: str = "digest for {date}: {count}"
    #: Seconds the mail server has for each step (connect, greeting, every command).
    timeout: float = Field(default=30.0, gt=0, le=600)
    #: A PEM file of certificate authorities trusted for this server besides the system's (a
    #: self-hosted server's private one); relative to the configuration file's folder.
    ca_file: Path | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _ca_for_tls(self) -> EmailConfig:
        if self.ca_file is not None and self.security == "none":
            raise ValueError("ca_file is trusted for TLS, and security is none: set security to starttls or ssl")
        return self


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
    to: list[MailAddress] = Field(default_factory=list)
    #: This digest's own rules, added to the global ``filters``.
    filters: list[FilterRule] = Field(default_factory=list)

    @field_validator("time")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        return _hhmm(v)


#: Days a prune keeps beyond the engine's two windows: the engine in memory is rebuilt once a
#: day (``digest.service.clustering.ENGINE_RENEW``: it may hold a day more than its span) and a publication
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
        if self.email is not None and self.email.ca_file is not None:
            self.email.ca_file = r(self.email.ca_file)
        if self.database and "://" not in self.database:
            self.database = str(r(Path(self.database)))
        for s in self.sources:
            if s.path is not None:
                s.path = r(s.path)
        return self

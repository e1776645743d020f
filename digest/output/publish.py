"""A digest's files written: each format rendered, written whole, and a day's recorded.

Observations
------------
* ``digest run``, ``digest build``, a replay's day end and the daemon all
  write digests; each must render the same view the same way and record a
  daily digest for the archive (its index lists the days digests were built
  for), so the writing is one function they all reach through ``App``.
* A full disk, a read-only folder or a file where the folder belongs is the
  user's to fix: one line naming the file (``DigestError``), not a traceback.

How it works
------------
:func:`write_files` renders ``view`` in each format (``output.render``), writes
it atomically (``output.files.atomic_write``) to the plan's path for the day
(or ``path``), and for a daily plan records it in the store with the time it
was built; a weekly digest's files are not a day's and are not recorded.
:func:`format_of` says which format a file named by the user (``digest build
-o``) gets: its extension's (``.md``/``.markdown``, ``.html``/``.htm``,
``.json``, in any case), unless ``--format`` names one; a name of another kind
(``x.txt``, no extension) is refused with one line rather than written as HTML.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment

from ..config import Config
from ..errors import DigestError
from ..records import DigestView
from ..store.base import Store
from .days import pin_frame, record_failing, record_grouping, record_leads
from .digests import Plan
from .files import atomic_write
from .render import make_env, render

#: The formats a file's extension names (``digest build -o``).
KINDS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}


def format_of(output: str | None, fmt: str | None) -> str:
    """The format to write to ``output`` (a file, ``-`` or None: the output folder): ``fmt``
    when given, else the file's extension's (:data:`KINDS`), else HTML for standard output
    and the output folder; a file of another kind is a :class:`DigestError` naming it."""
    if fmt is not None:
        return fmt
    if output in (None, "-"):
        return "html"
    suffix = Path(output).suffix
    kind = KINDS.get(suffix.lower())
    if kind is None:
        what = f"'{suffix}'" if suffix else "no extension"
        raise DigestError(f"{output}: not a kind of digest file ({what}): name it .md, .html or .json, "
                          "or give --format md|html|json")
    return kind


def render_view(cfg: Config, view: DigestView, fmt: str, env: Environment | None = None) -> str:
    """``view`` in ``fmt`` (md, html, json, email-text, ...) with the configured templates
    (``env``: made from them once by a caller rendering several formats)."""
    env = env or make_env(cfg.templates)
    return render(view, fmt, env=env, tz=cfg.tz, excerpt_chars=cfg.excerpt_chars, locale=cfg.locale)  # type: ignore[arg-type]


def write_files(
    cfg: Config, store: Store, view: DigestView, day: date, plan: Plan, formats: tuple[str, ...],
    *, path: Path | None, built_at: datetime,
) -> list[Path]:
    """Write ``view`` in each of ``formats``; a daily plan's files recorded as built at ``built_at``."""
    env = make_env(cfg.templates)
    out = []
    if plan.every == "day" and formats:  # the view was made in this zone's day: it stays that day,
        pin_frame(store, cfg, day)  # kept before a file shows it (a kill after a file is written
    for fmt in formats:  # and before this, then a new zone, showed its articles as new again)
        text = render_view(cfg, view, fmt, env)
        target = path or plan.files(cfg, day, fmt)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, text)
        except OSError as exc:  # a full disk, a folder read-only or a file where it belongs
            raise DigestError(f"{target}: cannot write the digest ({exc.strerror or exc})") from exc
        if plan.every == "day":  # the archive's days (a week's files are not a day's)
            # its stories as its heading counts them: a new source's earlier news apart (stop 65)
            store.record_digest(day.isoformat(), fmt, str(target), view.story_count - view.backlog,
                                built_at=built_at)
        out.append(target)
    if plan.every == "day" and out:  # the leads shown: a rebuild of the day shows them again
        record_leads(store, day, view)
        record_failing(store, day, view)
        record_grouping(store, day, view)
    return out

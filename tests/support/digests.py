"""A store of three local sources (Coast News: World, City Desk: Local, Terrace: Sport) with
mail to a loopback SMTP server, for the tests of several digests (``digests:``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from digest.app import App, RunReport, open_app
from digest.records import Entry
from tests.support.config import loopback_email

STORIES = Path(__file__).resolve().parents[1] / "fixtures" / "stories"
#: A weekly digest of the Sport section, mailed on Mondays at 08:00 to a colleague (YAML).
WEEKLY = """
  - name: weekly-sport
    sections: [Sport]
    every: week
    weekday: monday
    time: "08:00"
    to: [colleague@example.org]
"""


def digests_config(tmp_path: Path, port: int, digests: str, *, extra: str = "") -> Path:
    """``feeds.yaml`` in ``tmp_path``: the three sources, mail to ``port``, ``extra`` lines
    (``filters:``) and the ``digests:`` list given as YAML."""
    for folder in ("coast", "city", "terrace"):
        (tmp_path / folder).mkdir(exist_ok=True)
    path = tmp_path / "feeds.yaml"
    path.write_text(f"""
sources:
  - {{name: Coast News, path: coast, category: World}}
  - {{name: City Desk, path: city, category: Local}}
  - {{name: Terrace, path: terrace, category: Sport}}
output_dir: out
data_dir: data
timezone: UTC
{loopback_email(port)}{extra}digests:{digests}""", encoding="utf-8")
    return path


def ingest_story(app: App, source: str, name: str, at: datetime, title: str | None = None) -> None:
    """The story fixture ``name`` stored as ``source``'s entry, fetched and published at ``at``."""
    head, _, body = (STORIES / f"{name}.txt").read_text(encoding="utf-8").partition("\n")
    src = next(s for s in app.cfg.sources if s.name == source)
    entry = Entry(source=source, title=title or head, text=body, entry_id=f"{name}@{at.isoformat()}", published=at)
    app.ingest(src, [entry], fetched=at, report=RunReport())


def ingest_stories(cfg_path: Path, stories: Sequence[tuple[str, str, datetime]]) -> None:
    """Store ``(source, story fixture, arrival)``s in the store of ``cfg_path``, as poll rounds
    would have (the daemon's before it went down, cron's ``digest run``)."""
    with open_app(cfg_path) as app:
        for source, name, at in stories:
            ingest_story(app, source, name, at)

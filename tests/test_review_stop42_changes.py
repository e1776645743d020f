"""Review (stop 42), today's changes: the "what's new" line of a developing story new only by
figures, each changed figure marked and followed by the one it replaced.  Real parts: the feed
on a loopback server (``tests.support.httpd``), ``digest run`` and ``digest build`` through the
CLI, SQLite on disk, the day's Markdown, HTML, email (both parts) and JSON digest."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from digest.app import open_app
from digest.cli import main
from digest.output.render import render_email_html, render_text
from tests.support.httpd import TestServer
from tests.test_figures_shown import _developing
from tests.test_review_stop37_inplace import DAY1, Q_TEXT, Q_TITLE, Reader, feed, quake_of

#: The quake report with a figure below zero in a sentence of its own.
COLD = Q_TEXT.replace("Fishing boats were moved to New Plymouth.",
                      "Overnight the temperature in Opunake fell to -2 degrees, MetService said.")


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    with TestServer() as srv:
        yield Reader(tmp_path, srv)


def _revised(reader: Reader, first: str, then: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Day 1 the report as ``first``, 14 hours on its entry changed in place to ``then``: the
    JSON digest's quake story, and the day in Markdown, HTML, email HTML and the email's text."""
    reader.run(DAY1, feed((Q_TITLE, first)))
    at = DAY1 + timedelta(hours=14)
    quake = quake_of(reader.run(at, feed((Q_TITLE, then))))
    cfg = reader.config(at, feed((Q_TITLE, then)))
    out: dict[str, str] = {}
    for fmt in ("md", "html"):
        path = reader.tmp / f"day.{fmt}"
        assert main(["build", "--config", str(cfg), "--format", fmt, "--date", str(at.date()), "-o", str(path)]) == 0
        out[fmt] = path.read_text(encoding="utf-8")
    with open_app(cfg) as app:
        view = app.build_view(at.date())
    out["email"], out["text"] = render_email_html(view), render_text(view)
    return quake, out


def test_a_negative_figure_replaced_is_said_with_its_sign(reader: Reader) -> None:
    """The overnight low, -2 degrees, revised to -4: the line said "-4 (was 2)", a reader read a
    rise from 2 above zero.  Now the earlier figure keeps its minus sign, "(was -2)", in every
    format and the JSON digest."""
    quake, out = _revised(reader, COLD, COLD.replace("-2 degrees", "-4 degrees"))
    assert quake["whats_new_figures"] == ["4"] and quake["whats_new_was"] == ["-2"]
    assert "fell to -**4** (was -2) degrees" in out["md"]
    assert "fell to -4 (was -2) degrees" in out["text"]
    for fmt in ("html", "email"):
        assert "fell to -4 (was -2) degrees" in _developing(out[fmt]).text_content(), fmt

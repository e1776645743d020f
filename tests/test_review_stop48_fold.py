"""Stop 48: "and N more" named an outlet once for each of its versions.

N counts versions, and an outlet may have several in one story (two items of one report
under two links): the Markdown said "and 6 more: Outlet F, Outlet G, Outlet G, ...", read as
two outlets of one name.  Real parts: the replay command, SQLite on disk, the written digests."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from digest.app import open_app
from digest.cli import main
from digest.output.context import folded_outlets
from digest.output.render import render_text
from tests.test_timeline import TUE, record, write_inputs


def _stream() -> list[dict[str, object]]:
    """Eleven items of the quake on Tuesday, two of them Outlet G's: its own rewrite too."""
    outlets = ["A", "B", "C", "D", "E", "F", "G", "G", "H", "I", "J"]
    return [record(f"t{i}", "quake_a2" if i == 7 else "quake_a1", f"Outlet {c}",
                   TUE + timedelta(hours=8, minutes=5 * i), url=f"https://outlet-{c.lower()}.example/quake-{i}")
            for i, c in enumerate(outlets)]


def test_the_fold_names_each_outlet_once_with_its_count(tmp_path: Path) -> None:
    data, cfg = write_inputs(tmp_path, _stream())
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    out = tmp_path / "out"
    md = (out / "digest-2026-11-10.md").read_text(encoding="utf-8")
    [line] = [x for x in md.splitlines() if re.match(r"- and \d+ more:", x)]
    n = int(line.split()[2])
    names = line.split(": ", 1)[1].split(", ")
    assert len(names) == len(set(names))  # no outlet named twice
    counted = sum(int(m.group(1)) if (m := re.search(r"\((\d+)\)$", x)) else 1 for x in names)
    assert counted == n  # the counts add up to N
    assert "Outlet G (2)" in names
    with open_app(cfg) as app:  # the email's text part
        text = " ".join(render_text(app.build_view(date(2026, 11, 10)), tz=app.cfg.tz).split())
    assert f"* and {n} more: {', '.join(names)}" in text


def test_folded_outlets_keeps_the_order_and_counts() -> None:
    rows = [{"source": s} for s in ["B", "A", "B", "C", "A", "B"]]
    assert [o["source"] + o["count"] for o in folded_outlets(rows)] == ["B (3)", "A (2)", "C"]
    assert folded_outlets([]) == []

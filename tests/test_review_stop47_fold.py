"""Stop 47: a developing story's new versions under a long "also reported by" list.

The list is in publication order and folds past ``ALSO_FOLD`` rows, so the report a story
was shown again for came last, in the fold: the Markdown said "and 6 more: ..., Outlet Z",
the HTML hid its row under "and 6 more"; its link and its *new* mark were nowhere to see.
Real parts: the replay command, SQLite on disk, the written digests."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from digest.cli import main
from digest.output import context
from tests.test_timeline import TUE, record, write_inputs

LETTERS = "ABCDEFGHIJK"


def _stream() -> list[dict[str, object]]:
    """Eleven outlets carry the quake on Tuesday; on Wednesday Outlet Z follows it up."""
    rows = [record(f"t{i}", "quake_a1", f"Outlet {c}", TUE + timedelta(hours=8, minutes=5 * i),
                   url=f"https://outlet-{c.lower()}.example/quake")
            for i, c in enumerate(LETTERS)]
    rows.append(record("z1", "quake_a_followup", "Outlet Z", TUE + timedelta(days=1, hours=12),
                       url="https://outlet-z.example/harbour"))
    return rows


def _folded(md: str) -> str:
    """The Markdown's "and N more" line."""
    [line] = [line for line in md.splitlines() if re.match(r"- and \d+ more:", line)]
    return line


def test_a_developing_storys_new_report_is_shown_not_folded(tmp_path: Path) -> None:
    data, cfg = write_inputs(tmp_path, _stream())
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    out = tmp_path / "out"
    tuesday = (out / "digest-2026-11-10.md").read_text(encoding="utf-8")
    assert "- and 5 more:" in tuesday  # a new story's long list folds after its first five
    wednesday = (out / "digest-2026-11-11.md").read_text(encoding="utf-8")
    shown = wednesday.split("- and ")[0]
    assert "https://outlet-z.example/harbour" in shown
    assert re.search(r"\*\*Outlet Z\*\*: \[.*\]\(https://outlet-z\.example/harbour\).*\*new\*", shown)
    assert "Outlet Z" not in _folded(wednesday)
    # topped up to five rows, the rest folded; Outlet Z's row is over its excerpt, not listed (stop 64)
    assert _folded(wednesday).startswith("- and 5 more:")
    html = (out / "digest-2026-11-11.html").read_text(encoding="utf-8")
    details = html[html.index("<details"):html.index("</details>")]
    assert "outlet-z.example" not in details and "outlet-z.example" in html


def _rows(news: list[bool]) -> list[dict[str, object]]:
    return [{"source": f"Outlet {i}", "new": n} for i, n in enumerate(news)]


def test_fold_keeps_order_shows_every_new_version_up_to_a_limit() -> None:
    fold, ALSO_FOLD, ALSO_SHOWN = context.fold, context.ALSO_FOLD, context.ALSO_SHOWN
    rows = _rows([False] * 10 + [True] * 2)
    shown, more = fold(rows, developing=True)
    assert [r["source"] for r in shown] == ["Outlet 0", "Outlet 1", "Outlet 2", "Outlet 10", "Outlet 11"]
    assert len(shown) + len(more) == len(rows) and all(not r["new"] for r in more)
    assert fold(rows, developing=False) == (rows[:ALSO_SHOWN], rows[ALSO_SHOWN:])
    short = _rows([False] * (ALSO_FOLD - 2) + [True])
    assert fold(short, developing=True) == (short, [])
    flood = _rows([False] * 3 + [True] * 20)  # a day of many new versions still folds
    shown, more = fold(flood, developing=True)
    assert len(shown) == ALSO_FOLD - 1 and all(r["new"] for r in shown)
    assert shown[0]["source"] == "Outlet 3"

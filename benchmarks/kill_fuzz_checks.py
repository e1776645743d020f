"""The checks of ``benchmarks.kill_fuzz``: a store after a kill (:func:`db_checks`: integrity,
the search index, foreign keys, every guid served stored, a first version once), each day's
JSON digest (:func:`json_days`) and the versions new in each (:func:`new_per_day`: each new
in one day only, no story shown with nothing new), a run's days against the reference's
(:func:`differs`).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from .kill_fuzz_world import digest


def db_checks(folder: Path, served: set[tuple[str, str]] | None, problems: list[str], when: str) -> None:
    if not (folder / "data" / "digest.sqlite3").exists():
        return
    con = sqlite3.connect(folder / "data" / "digest.sqlite3", timeout=30)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            problems.append(f"{when}: integrity_check: {ok}")
        try:
            con.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:  # (a store killed mid-migration has none yet)
            if "no such table" not in str(exc):
                problems.append(f"{when}: search index: {exc}")
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"{when}: foreign_key_check: {fk[:3]}")
        cols = [r[1] for r in con.execute("PRAGMA table_info(articles)")]
        if served is not None and "guid" in cols:
            rows = con.execute("SELECT guid, revision_of FROM articles").fetchall() if "revision_of" in cols \
                else [(r[0], None) for r in con.execute("SELECT guid FROM articles")]
            firsts = Counter(g for g, rev in rows if rev is None)
            dup = [g for g, n in firsts.items() if n > 1]
            if dup:
                problems.append(f"{when}: guids stored twice as a first version: {dup[:5]}")
            missing = {g for _, g in served} - {g for g, _ in rows}
            if missing:
                problems.append(f"{when}: served, never stored: {sorted(missing)[:5]}")
                return
    finally:
        con.close()


def json_days(folder: Path, cfg: Path, days: list[date]) -> dict[str, dict[str, Any]]:
    out = {}
    for d in days:
        target = folder / "json" / f"{d}.json"
        target.parent.mkdir(exist_ok=True)
        rc, _ = digest(cfg, "build", "--date", d.isoformat(), "--format", "json", "-o", str(target))
        if rc == 0:
            out[d.isoformat()] = json.loads(target.read_text())
    return out


def _when(t: str | None) -> str:
    if not t:
        return ""
    return datetime.fromisoformat(t.replace("Z", "+00:00")).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def new_per_day(js: dict[str, dict[str, Any]], problems: list[str], label: str) -> dict[str, set[str]]:
    """day -> the versions new in it, each "source|id|arrived"."""
    per: dict[str, set[str]] = {}
    seen: dict[str, str] = {}
    for day, j in js.items():
        ids = set()
        for st in j.get("stories", []):
            vs = [st["lead"], *st.get("also", [])] if st.get("lead") else list(st.get("also", []))
            new = [f"{v['source']}|{v['id']}|{_when(v.get('arrived'))}" for v in vs if v.get("new")]
            if not new:
                problems.append(f"{label} {day}: story {st.get('story_id')} ({st.get('status')}) shown with nothing new")
            for i in new:
                if i in seen and seen[i] != day:
                    problems.append(f"{label}: article {i} new in {seen[i]} and {day}")
                seen[i] = day
                ids.add(i)
        per[day] = ids
    return per


def differs(ref: dict[str, set[str]], got: dict[str, set[str]], name: str) -> list[str]:
    """The days whose articles new differ from the reference's, one line each."""
    return [f"{name} {d}: new differs: only reference {sorted(ref.get(d, set()) - got.get(d, set()))[:3]}, "
            f"only killed {sorted(got.get(d, set()) - ref.get(d, set()))[:3]}"
            for d in sorted(set(ref) | set(got)) if ref.get(d, set()) != got.get(d, set())]

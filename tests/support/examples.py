"""The bundled examples (``examples/``, ``feeds.yaml``) and what ``examples/expected.json`` says of them."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EXPECTED: dict[str, Any] = json.loads((EXAMPLES / "expected.json").read_text(encoding="utf-8"))
#: The day the examples were published.
DAY = date.fromisoformat(EXPECTED["date"])


def copy_examples(dst: Path, mtime: float | None = None) -> Path:
    """Copy the examples and ``feeds.yaml`` into ``dst``; date each article file ``mtime``, else
    its own publication time.  Returns the copied ``feeds.yaml``."""
    shutil.copytree(EXAMPLES, dst / "examples")
    shutil.copy(ROOT / "feeds.yaml", dst / "feeds.yaml")
    published = {v["ref"]: v.get("published") for s in EXPECTED["stories"] for v in s["versions"]}
    for p in (dst / "examples" / "articles").rglob("*"):
        if p.is_file():
            stamp = published[p.relative_to(dst / "examples").as_posix()]
            t = mtime if mtime is not None else datetime.fromisoformat(stamp).timestamp()
            os.utime(p, (t, t))
    return dst / "feeds.yaml"

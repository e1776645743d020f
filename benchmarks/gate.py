"""The eval gate: figures from the benchmarks against the floors in floors.json.

Each benchmark writes a JSON file; this reads them all, maps them to the
figure names of ``floors.json``, prints a table (figure, value, floor,
target) and exits 1 if any gated figure is missing or below its floor.

    python -m benchmarks.gate OUT/*.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

FLOORS = Path(__file__).with_name("floors.json")


def collect(paths: list[str]) -> dict[str, float]:
    figures: dict[str, float] = {}
    for p in paths:
        data: dict[str, Any] = json.loads(Path(p).read_text())
        if "figures" in data:  # stories.py, syndicate.py
            figures.update({k: float(v) for k, v in data["figures"].items()})
        if "extract_clean" in data:  # extraction.py
            figures["extraction_f1"] = float(data["extract_clean"]["f1"])
    return figures


def main(argv: list[str] | None = None) -> int:
    paths = list(sys.argv[1:] if argv is None else argv)
    spec = json.loads(FLOORS.read_text())
    floors: dict[str, float] = spec["floors"]
    targets: dict[str, float] = spec.get("targets", {})
    figures = collect(paths)
    failed = False
    print(f"{'figure':34} {'value':>7} {'floor':>7} {'target':>7}  status")
    for name in sorted(set(floors) | set(targets)):
        value = figures.get(name)
        floor = floors.get(name)
        target = targets.get(name)
        if floor is not None and value is None:
            status, failed = "MISSING", True
        elif floor is not None and value is not None and value < floor:
            status, failed = "BELOW FLOOR", True
        elif target is not None and value is not None:
            status = "target met" if value >= target else "ok (target not met)"
        else:
            status = "ok" if value is not None else "not measured"
        fmt = lambda x: f"{x:7.3f}" if x is not None else "      -"  # noqa: E731
        print(f"{name:34} {fmt(value)} {fmt(floor)} {fmt(target)}  {status}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

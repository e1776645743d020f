"""The eval gate: figures from the benchmarks against the floors in floors.json.

Observations
------------
* Each benchmark writes its own JSON: ``stories.py --json`` and
  ``syndicate.py --json`` write ``{"figures": {name: value}, "detail": ...}``
  with the names of ``floors.json``; ``extraction.py --json`` prints
  ``{"extract_clean": {"f1": ...}, ...}`` (read as ``extraction_f1``).
* A figure that is missing, not a number or not finite fails like a figure
  below its floor: a broken benchmark must not pass the gate.

How it works
------------
Reads every file named, collects the figures, applies ``--map
figure=dotted.key`` for files of other shapes (e.g. ``--map
extraction_f1=extract_clean.f1``), prints figure / value / floor / target /
status, and exits 1 if any floored figure is missing or below its floor.
Targets are reported, never gated.

    python -m benchmarks.gate [--map NAME=dotted.key ...] OUT/*.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

FLOORS = Path(__file__).with_name("floors.json")
DEFAULT_MAP = {"extraction_f1": "extract_clean.f1"}


def _dig(data: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def collect(paths: list[str], mapping: dict[str, str] | None = None) -> dict[str, float | None]:
    """Figure name -> value (None when present but not a finite number)."""
    mapping = {**DEFAULT_MAP, **(mapping or {})}
    figures: dict[str, float | None] = {}
    for p in paths:
        try:
            data: Any = json.loads(Path(p).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"{p}: unreadable figures file ({exc})", file=sys.stderr)
            continue
        if isinstance(data, dict) and isinstance(data.get("figures"), dict):
            figures.update({k: _number(v) for k, v in data["figures"].items()})
        for name, dotted in mapping.items():
            value = _dig(data, dotted)
            if value is not None:
                figures[name] = _number(value)
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("files", nargs="*", help="figures JSON files written by the benchmarks")
    ap.add_argument("--map", action="append", default=[], metavar="NAME=dotted.key",
                    help="read figure NAME from this key path of any file")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    mapping = {}
    for item in args.map:
        name, sep, dotted = item.partition("=")
        if not sep or not name or not dotted:
            ap.error(f"--map {item!r}: expected NAME=dotted.key")
        mapping[name] = dotted
    spec = json.loads(FLOORS.read_text(encoding="utf-8"))
    floors: dict[str, float] = spec["floors"]
    targets: dict[str, float] = spec.get("targets", {})
    figures = collect(args.files, mapping)
    failed = False

    def fmt(x: float | None) -> str:
        return f"{x:7.3f}" if x is not None else "      -"

    print(f"{'figure':34} {'value':>7} {'floor':>7} {'target':>7}  status")
    for name in sorted(set(floors) | set(targets)):
        value = figures.get(name)
        floor, target = floors.get(name), targets.get(name)
        if floor is not None and value is None:
            status = "NOT A NUMBER" if name in figures else "MISSING"
            failed = True
        elif floor is not None and value is not None and value < floor:
            status, failed = "BELOW FLOOR", True
        elif target is not None and value is not None:
            status = "target met" if value >= target else "ok (target not met)"
        else:
            status = "ok" if value is not None else "not measured"
        print(f"{name:34} {fmt(value)} {fmt(floor)} {fmt(target)}  {status}")
    print("gate: FAILED" if failed else "gate: passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The eval gate fails on a figure below its floor or missing, passes otherwise."""

import json
from pathlib import Path

from benchmarks.gate import FLOORS, main


def write(tmp_path: Path, figures: dict[str, float]) -> list[str]:
    p = tmp_path / "fig.json"
    p.write_text(json.dumps({"figures": figures}))
    return [str(p)]


def floors() -> dict[str, float]:
    return dict(json.loads(FLOORS.read_text())["floors"])


def test_gate_passes_at_the_floors(tmp_path: Path) -> None:
    assert main(write(tmp_path, floors())) == 0


def test_gate_fails_below_a_floor_and_on_a_missing_figure(tmp_path: Path) -> None:
    f = floors()
    name = next(iter(f))
    assert main(write(tmp_path, {**f, name: f[name] - 0.01})) == 1
    del f[name]
    assert main(write(tmp_path, f)) == 1

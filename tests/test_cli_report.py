"""What the commands say, through the real ``digest`` process: one line per failing
source, named as configured; ``digest sources``; ``digest send`` with nothing to send."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def digest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "digest", *args], cwd=cwd, env=env,
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_a_failing_source_is_one_line_naming_it_as_configured(tmp_path: Path) -> None:
    junk = tmp_path / "private" / "dump.xml"
    junk.parent.mkdir()
    junk.write_bytes(bytes(range(256)) * 40)  # garbage bytes
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(
        "sources:\n"
        f"  - name: Coast News\n    path: {FEEDS / 'coast.rss'}\n"
        f"  - name: Broken Box\n    path: {junk}\n"
        "output_dir: out\n"
    )
    done = digest("run", "--config", str(cfg), "--quiet", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    about = [line for line in lines if "Broken Box" in line or "dump.xml" in line or "private" in line]
    assert len(about) == 1, lines
    assert about[0].startswith("error: Broken Box: "), about
    assert "WARNING" not in done.stderr and str(junk.parent) not in done.stderr
    # the good source was read and its digest written
    assert "1 failed" in lines[-1] and " 0 new articles" not in lines[-1], lines[-1]
    assert [Path(p).suffix for p in done.stdout.split()] == [".md", ".html"]

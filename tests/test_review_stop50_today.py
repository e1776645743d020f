"""Stop 50's review of the day's changes: what it found wrong, each checked through the CLI on a
SQLite file (real parts: a folder source on disk, the configured ``clock:``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from digest.cli import main
from digest.config import load_config
from digest.errors import DigestError
from tests.support.config import make_config


def _config(root: Path, clock: str) -> Path:
    cfg = root / "feeds.yaml"
    cfg.write_text(f"timezone: UTC\nclock: {clock}\ndatabase: s.sqlite3\ndedup:\n  window_days: 1\n"
                   "sources:\n  - name: Notes\n    path: notes\n")
    return cfg


def _note(root: Path, name: str, title: str, at: str, text: str) -> None:
    (root / "notes").mkdir(exist_ok=True)
    (root / "notes" / f"{name}.md").write_text(f"---\ntitle: {title}\ndate: {at}\n---\n{text}\n")


def test_a_pruned_stores_kept_day_before_its_first_article_left_is_built_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``check_begun`` (``build``/``send --date``) read the store's first day from its first
    article: after a prune that removed the first articles, the first one left arrived on the
    10th, and the 8th, which the prune said it kept and whose digest the archive lists, was
    refused: "2026-11-08 has no digest: the store's first day is 2026-11-10"."""
    _note(tmp_path, "a", "Ferry strike ends after long talks", "2026-11-01T09:00:00Z",
          "The ferry strike in the harbour ended on Monday after long talks between unions and owners.")
    assert main(["run", "-c", str(_config(tmp_path, "2026-11-01T10:00:00Z")), "--quiet"]) == 0
    assert main(["run", "-c", str(_config(tmp_path, "2026-11-08T10:00:00Z")), "--quiet"]) == 0  # a quiet day
    _note(tmp_path, "b", "Library fees scrapped across the county", "2026-11-10T09:00:00Z",
          "Northgate libraries scrap late fees for all readers from next month, the council said.")
    assert main(["run", "-c", str(_config(tmp_path, "2026-11-10T10:00:00Z")), "--quiet"]) == 0
    cfg = str(_config(tmp_path, "2026-11-12T10:00:00Z"))
    assert main(["prune", "-c", cfg, "--keep-days", "5"]) == 0
    assert "kept: 2026-11-08 on" in capsys.readouterr().out
    assert main(["build", "-c", cfg, "--date", "2026-11-08", "--format", "md"]) == 0
    said = capsys.readouterr()
    assert said.err == "" and said.out.strip().endswith("digest-2026-11-08.md")
    # a day before the first kept is still refused, as pruned
    assert main(["build", "-c", cfg, "--date", "2026-11-07", "--format", "md"]) == 2
    assert capsys.readouterr().err.startswith("error: 2026-11-07 was pruned:")


@pytest.mark.parametrize(
    ("value", "advice"),
    [
        ("'::1'", "write ['::1']"),  # [::1] is a YAML syntax error
        ("'[::1]:8080'", "write ['[::1]:8080']"),  # [[::1]:8080] too
        ("'a.example: 8080'", "write ['a.example: 8080']"),  # [a.example: 8080] is a mapping
        ("a.example, b.example", "write [a.example, b.example]"),  # the two values typed apart
        ("127.0.0.1:8765", "write [127.0.0.1:8765]"),
    ],
)
def test_the_list_a_config_error_says_to_write_reads_back_as_the_value(
    tmp_path: Path, value: str, advice: str
) -> None:
    """"needs a list ...: write [::1]" (an IPv6 host in ``allow_hosts``): written as advised,
    the configuration did not load at all ("while parsing a flow node")."""
    with pytest.raises(DigestError) as info:
        make_config(tmp_path, extra=f"fetch:\n  allow_hosts: {value}\n", write=True)
    said = str(info.value)
    assert f": {advice} (in brackets, or one '- ' line each)" in said and "\n" not in said
    read = yaml.safe_load(advice.removeprefix("write "))  # as the loader reads it: a list of hosts
    assert read == [v.strip() for v in str(yaml.safe_load(value)).split(",")] or read == [yaml.safe_load(value)]


@pytest.mark.parametrize("key", ["sources", "digests"])
def test_one_source_or_digest_without_its_dash_is_told_how_to_write_the_list(tmp_path: Path, key: str) -> None:
    """A single source (or digest) written without '- ' said "needs a list, not {'name': 'A',
    'url': ...}": what was wrong, not how to write it (a new user's most likely list of one)."""
    item = "  name: A\n  url: https://a.example/feed\n" if key == "sources" else "  name: A\n  every: day\n"
    head = "" if key == "sources" else "sources:\n  - name: S\n    url: https://s.example/feed\n"
    (tmp_path / "feeds.yaml").write_text(f"database: s.sqlite3\n{head}{key}:\n{item}")
    with pytest.raises(DigestError) as info:
        load_config(tmp_path / "feeds.yaml")
    said = str(info.value)
    assert said.endswith(f"{key}: needs a list, not one mapping: each item starts with '- ' "
                         "(- name: A, its other keys indented under 'name')"), said
    assert "\n" not in said

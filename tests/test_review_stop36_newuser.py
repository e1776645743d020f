"""Review (stop 36): digest as a new user's first week meets it.

A user who installed the wheel has no ``feeds.yaml``: ``digest init`` writes a starter one that
loads and runs.  ``digest build -o`` writes the kind its file names, or refuses a kind it does not
know.  ``digest explain --json`` writes times as the JSON digest does.  One feed configured under
two spellings of its URL is one warning line when the configuration loads.
"""

from __future__ import annotations

import json
import logging
import os
import re
import site
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from digest.cli import main
from digest.config import load_config
from digest.store.base import open_store
from tests.support.archive import fill
from tests.support.config import make_config
from tests.support.wheel import build_wheel, copy_sources

# ---- digest init ------------------------------------------------------------------------------


def test_init_writes_a_starter_that_loads_and_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    cfg_path = tmp_path / "feeds.yaml"
    said = capsys.readouterr().out.splitlines()
    assert 2 <= len(said) <= 3, said
    assert "feeds.yaml" in said[0] and any("digest run --config feeds.yaml" in line for line in said)
    cfg = load_config(cfg_path)  # the loader's own checks: every key known, every path there
    assert cfg.clock is None  # the user's sources, read now (the daemon refuses a clock)
    assert [s.path for s in cfg.sources if s.path] and all(s.path.is_dir() for s in cfg.sources if s.path)
    assert main(["run", "--config", "feeds.yaml", "--quiet"]) == 0
    written = [Path(p) for p in capsys.readouterr().out.split()]
    assert [p.suffix for p in written] == [".md", ".html"] and all(p.is_file() for p in written)
    assert all(p.parent == tmp_path / "out" for p in written)


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("sources: []\n# my own notes\n")
    assert main(["init", str(mine)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(mine) in err[0] and "--force" in err[0], err
    assert mine.read_text() == "sources: []\n# my own notes\n"
    assert main(["init", "--force", str(mine)]) == 0
    from digest.config.starter import starter_text

    assert mine.read_text() == starter_text()
    assert (tmp_path / "mine.yaml.bak").read_text() == "sources: []\n# my own notes\n"  # kept, as import-opml does


def test_init_into_a_folder_writes_feeds_yaml_there(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    where = tmp_path / "new" / "place"
    assert main(["init", str(where) + "/"]) == 0  # a folder not there yet: made
    assert (where / "feeds.yaml").is_file()
    assert main(["init", str(where)]) == 2  # the folder's feeds.yaml is there now
    assert "exists" in capsys.readouterr().err
    load_config(where / "feeds.yaml")


def test_a_missing_configuration_says_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "feeds.yaml: configuration file not found" in line and "digest init" in line


def test_the_starters_commented_settings_load_once_uncommented(tmp_path: Path) -> None:
    """The starter shows the optional settings commented out (``# key: value``, a source as
    ``# - name:``): uncommented, each is valid in this version, so the file cannot drift from
    the configuration it documents."""
    from digest.config.starter import starter_text

    text = starter_text()
    setting = re.compile(r"^(\s*)# (\s*(?:[a-z_]+:|- ).*)$", re.M)
    uncommented = setting.sub(r"\1\2", text)
    assert uncommented.count("\n#") < text.count("\n#") - 15  # the mail, schedule, filter, a feed
    (tmp_path / "articles").mkdir()
    (tmp_path / "feeds.yaml").write_text(uncommented)
    cfg = load_config(tmp_path / "feeds.yaml")
    assert cfg.email is not None and cfg.filters and cfg.schedule.poll_minutes == 30
    assert [s.url for s in cfg.sources] == [None, "https://news.example.com/feed.xml"]


@pytest.mark.slow
def test_a_wheel_installed_in_a_fresh_venv_starts_with_init_and_runs(tmp_path: Path) -> None:
    """``pip install`` of the wheel (no checkout, no examples) into a venv of its own, offline:
    the dependencies are this interpreter's (a ``.pth`` naming its site-packages; the files
    in them are not read, so an editable install of the checkout there is not seen)."""
    src, dist, venv, user = (tmp_path / n for n in ("src", "dist", "venv", "user"))
    copy_sources(src)
    build_wheel(src, dist)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-index",
         "--find-links", str(dist), "--no-deps", "--ignore-installed", "digest"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    user.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the checkout out of reach

    def digest(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(venv / "bin" / "digest"), *args], cwd=user, capture_output=True,
                              text=True, timeout=120, check=False, env=env)

    where = subprocess.run([str(python), "-c", "import digest; print(digest.__file__)"], cwd=user,
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(venv), where  # the wheel's package, not the checkout's
    init = digest("init")
    assert init.returncode == 0, init.stderr
    assert "digest run --config feeds.yaml" in init.stdout
    run = digest("run", "--config", "feeds.yaml", "--quiet")
    assert run.returncode == 0, run.stderr
    assert sorted(p.suffix for p in (user / "out").iterdir()) == [".html", ".md"]
    assert "1 source" in run.stderr and "error" not in run.stderr
    again = digest("init")
    assert again.returncode == 2 and "exists already" in again.stderr


# ---- digest build -o --------------------------------------------------------------------------


def _empty_config(tmp_path: Path) -> Path:
    cfg = make_config(tmp_path, write=True, clock="2026-11-20T20:00:00Z")
    assert cfg.config_path is not None
    open_store(cfg.database_url).close()  # a run made it: build before any is "no store yet" (stop 64)
    return cfg.config_path


@pytest.mark.parametrize(("name", "starts"), [("x.md", "# "), ("x.markdown", "# "), ("x.htm", "<!doctype html>"),
                                              ("x.HTML", "<!doctype html>"), ("x.json", "{")])
def test_build_writes_the_kind_each_extension_names(tmp_path: Path, name: str, starts: str) -> None:
    cfg = _empty_config(tmp_path)
    assert main(["build", "--config", str(cfg), "-o", str(tmp_path / name)]) == 0
    assert (tmp_path / name).read_text().startswith(starts)


@pytest.mark.parametrize("name", ["x.txt", "x", "digest.2026-11-20"])
def test_build_refuses_an_output_file_of_no_known_kind(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _empty_config(tmp_path)
    assert main(["build", "--config", str(cfg), "-o", str(tmp_path / name)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert str(tmp_path / name) in line and ".md, .html or .json" in line and "--format" in line, line
    assert not (tmp_path / name).exists()
    assert main(["build", "--config", str(cfg), "--format", "md", "-o", str(tmp_path / name)]) == 0  # said
    assert (tmp_path / name).read_text().startswith("# ")


# ---- digest explain --json --------------------------------------------------------------------

_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def test_explain_json_writes_times_in_iso_8601(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "digest.sqlite3"
    with open_store(f"sqlite:///{db}") as store:
        fill(store)
    cfg = make_config(tmp_path, write=True, database=str(db)).config_path
    assert main(["explain", "--config", str(cfg), "quake", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    times = [out["first_seen"], *(v["published"] for v in out["versions"])]
    assert len(times) == 4
    for t in times:
        assert _ISO.match(t), t
    assert datetime.fromisoformat(out["first_seen"]) == datetime.fromisoformat("2026-03-14T08:00:00+00:00")


# ---- one feed under two URLs ------------------------------------------------------------------

TWICE = """\
  - name: Harbor Herald
    url: https://harbor.example/feed
  - name: Valley Wire
    url: https://valley.example/atom.xml
  - name: Herald (old link)
    url: http://www.harbor.example:80/feed/
"""


def test_one_feed_under_two_urls_is_one_warning_naming_both(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        cfg = make_config(tmp_path, TWICE, write=True)
    assert len(cfg.sources) == 3  # a warning, not an error: both are still read
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(said) == 1, said
    line = said[0]
    assert "\n" not in line
    assert line.startswith(f"{cfg.config_path}:7: ")  # the second entry's line
    assert "'Harbor Herald'" in line and "'Herald (old link)'" in line and "Valley" not in line


@pytest.mark.parametrize("other", [
    "https://harbor.example/feed?section=sport",  # a query selects another feed
    "https://harbor.example/feed/comments",
    "https://news.harbor.example/feed",  # another host
    "https://harbor.example:8443/feed",  # another port
])
def test_feeds_that_differ_in_more_than_spelling_are_not_warned_about(
    tmp_path: Path, other: str, caplog: pytest.LogCaptureFixture
) -> None:
    sources = f"  - name: A\n    url: https://harbor.example/feed\n  - name: B\n    url: {other}\n"
    with caplog.at_level(logging.WARNING):
        make_config(tmp_path, sources, write=True)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_an_opml_list_naming_a_configured_feed_by_another_spelling_adds_it_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "subs.opml").write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>'
        '<outline text="Herald" type="rss" xmlUrl="http://www.harbor.example/feed/"/>'
        '<outline text="Ledger" type="rss" xmlUrl="https://ledger.example/rss"/></body></opml>'
    )
    sources = "  - name: Harbor Herald\n    url: https://harbor.example/feed\n" \
              "  - name: Blogroll\n    path: subs.opml\n"
    with caplog.at_level(logging.WARNING):
        cfg = make_config(tmp_path, sources, write=True)
    assert [s.name for s in cfg.sources] == ["Harbor Herald", "Ledger"]
    assert any("Herald" in n and "another source reads" in n for n in cfg.list_notes)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    # import-opml, the same: the configured entry is that feed already
    path = cfg.config_path
    assert path is not None
    path.write_text("sources:\n  - name: Harbor Herald\n    url: https://harbor.example/feed\n")
    assert main(["import-opml", "--config", str(path), str(tmp_path / "subs.opml")]) == 0
    out = capsys.readouterr().out
    assert "Herald: already there (as 'Harbor Herald'" in out and "added 1 of 2" in out


# ---- the first digest daemon ------------------------------------------------------------------


def test_the_daemons_start_says_where_digests_go_and_whether_they_are_mailed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A newcomer's first daemon said "digest daily at 07:00 (UTC)" and nothing of where the
    digest goes: no mail was configured, and nothing said it would not be mailed."""
    from digest.app import open_app
    from digest.service.daemon import Daemon

    cfg = make_config(tmp_path, write=True).config_path
    assert cfg is not None
    with open_app(cfg) as app, caplog.at_level(logging.INFO, logger="digest.service.daemon"):
        d = Daemon(app)
        d.stop.requested = True  # the start, one round, then out
        assert d.run() == 0
    [start] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("daemon started")]
    assert f"written to {tmp_path / 'out'}" in start and "not mailed (no 'email:' in" in start, start
    mailing = cfg.read_text() + "email:\n  host: 127.0.0.1\n  from: d@example.com\n  to: [me@example.com]\n"
    cfg.write_text(mailing)
    caplog.clear()
    with open_app(cfg) as app, caplog.at_level(logging.INFO, logger="digest.service.daemon"):
        d = Daemon(app)
        d.stop.requested = True
        assert d.run() == 0
    [start] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("daemon started")]
    assert "mailed to me@example.com" in start, start


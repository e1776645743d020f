"""Commands end to end on a temporary configuration: import-opml, run, build, explain, sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from digest.cli import main
from tests.support.config import make_config

FEEDS = Path(__file__).parent / "fixtures" / "feeds"

OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
<outline text="News"><outline text="Coast News" type="rss" xmlUrl="https://coast.example/feed.xml"/>
<outline text="Valley" type="rss" xmlUrl="https://valley.example/atom"/></outline>
<outline text="Bad" xmlUrl="javascript:alert(1)"/>
<outline text="Coast again" xmlUrl="https://coast.example/feed.xml"/>
</body></opml>"""


def config(tmp_path: Path) -> Path:
    """Two local feeds, written to ``tmp_path/feeds.yaml`` for ``--config``."""
    sources = {"Coast News": FEEDS / "coast.rss", "Valley Wire": FEEDS / "valley.atom"}
    path = make_config(tmp_path, sources, write=True).config_path
    assert path is not None
    return path


def test_import_opml_adds_http_feeds_once_and_keeps_config_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config(tmp_path)
    opml = tmp_path / "subs.opml"
    opml.write_bytes(OPML)
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    data = yaml.safe_load(cfg.read_text())
    urls = [s.get("url") for s in data["sources"] if s.get("url")]
    assert urls == ["https://coast.example/feed.xml", "https://valley.example/atom"]
    names = [s["name"] for s in data["sources"]]
    assert len(names) == len(set(names))  # "Coast News" exists already: renamed
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    assert "added 0" in capsys.readouterr().out


def test_build_writes_the_kind_its_output_file_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``digest build -o x.md`` and ``-o x.json`` wrote HTML (the default format) under those
    names; the file's kind now says the format when ``--format`` does not."""
    cfg = config(tmp_path)
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    out = {kind: tmp_path / f"x.{kind}" for kind in ("md", "json", "html", "txt")}
    for kind, path in out.items():
        assert main(["build", "--config", str(cfg), "-o", str(path)]) == (2 if kind == "txt" else 0)
    assert out["md"].read_text().startswith("# ")
    assert "stories" in json.loads(out["json"].read_text())
    assert out["html"].read_text().startswith("<!doctype html>")
    assert not out["txt"].exists()  # no such format: refused (tests/test_review_stop36_newuser.py), not HTML
    assert main(["build", "--config", str(cfg), "--format", "md", "-o", str(out["json"])]) == 0
    assert out["json"].read_text().startswith("# ")  # --format says it, whatever the name


def test_run_build_explain_and_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config(tmp_path)
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    written = capsys.readouterr().out.split()
    assert [Path(p).suffix for p in written] == [".md", ".html"]
    assert all(Path(p).exists() for p in written)
    assert main(["build", "--config", str(cfg), "--format", "json", "-o", "-"]) == 0
    digest = json.loads(capsys.readouterr().out)
    quake = next(s for s in digest["stories"] if s["also"])
    assert main(["explain", "--config", str(cfg), quake["story_id"], "--json"]) == 0
    why = json.loads(capsys.readouterr().out)
    assert sum(v["lead"] for v in why["versions"]) == 1
    assert all("reason" in v and "score" in v for v in why["versions"])
    keys = [v["key"] for v in why["versions"]]
    assert main(["explain", "--config", str(cfg), keys[0], keys[1], "--json"]) == 0
    pair = json.loads(capsys.readouterr().out)
    assert pair["merged"] is True and pair["why"].startswith("same story")
    if "link" in pair["stages"]:  # both still in the dedup window (the fixtures' dates age)
        assert 0.0 <= pair["stages"]["link"] <= pair["stages"]["shared_neighbours"] <= 1.0
    assert main(["sources", "--config", str(cfg)]) == 0
    assert "Coast News: ok" in capsys.readouterr().out


def test_errors_are_one_line_and_exit_nonzero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "feeds.yaml"
    bad.write_text("sources:\n  - name: x\n    url: ftp://nope\n")
    assert main(["run", "--config", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "feeds.yaml" in err[0] and "sources[0]" in err[0]
    assert main(["explain", "--config", str(config(tmp_path)), "no-such-story"]) == 2
    err = capsys.readouterr().err.strip().splitlines()  # before any run: no store, none made (stop 64)
    assert len(err) == 1 and "no store yet at " in err[0] and err[0].endswith("(nothing to explain)")


@pytest.mark.parametrize("command", ["build", "send", "run"])
@pytest.mark.parametrize(("timezone", "day"), [("UTC", "9999-12-31"), ("Asia/Tokyo", "0001-01-01")])
def test_a_day_outside_the_calendar_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, timezone: str, day: str
) -> None:
    cfg = config(tmp_path)
    email = "email: {host: 127.0.0.1, port: 1, security: none, from: a@example.org, to: [b@example.org]}"
    cfg.write_text(cfg.read_text() + f"timezone: {timezone}\n{email}\n")
    assert main([command, "--config", str(cfg), "--date", day, *(["--quiet"] if command == "run" else [])]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and day in err[0], err
    assert "out of range" in err[0] and "Traceback" not in err[0]
    assert not (tmp_path / "out").exists()  # nothing was fetched or written first


def test_explain_says_why_a_templated_report_is_not_a_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.stories import PIRATES

    folder = tmp_path / "articles"
    folder.mkdir()
    places = {
        "aden": dict(sea="Gulf of Aden", ship="INS Tabar", officer="Commander Nirmal Verma", port="Mumbai"),
        "channel": dict(sea="Mozambique Channel", ship="FS Nivose", officer="Captain Hugues Laine", port="Toulon"),
    }
    for name, slots in places.items():
        (folder / f"{name}.txt").write_text(f"Navy foils pirate attack in {slots['sea']}\n\n{PIRATES.format(**slots)}\n")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(f"sources:\n  - name: Desk\n    path: {folder}\noutput_dir: out\n")
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["build", "--config", str(cfg), "--format", "json", "-o", "-"]) == 0
    stories = json.loads(capsys.readouterr().out)["stories"]
    assert len(stories) == 2 and not any(s["also"] for s in stories)
    keys = []
    for s in stories:
        assert main(["explain", "--config", str(cfg), s["story_id"], "--json"]) == 0
        keys += [v["key"] for v in json.loads(capsys.readouterr().out)["versions"]]
    assert main(["explain", "--config", str(cfg), *keys, "--json"]) == 0
    pair = json.loads(capsys.readouterr().out)
    stages = pair["stages"]
    assert pair["merged"] is False and stages["copy"] is False
    assert stages["copy_opening_containment"] >= 0.6 > stages["copy_names_shared"]
    assert stages["non_name_words_cosine"] > 0.8 > 0.5 > stages["names_cosine"]
    assert "templated report of another event" in pair["why"]


def test_explain_says_two_outlets_carry_one_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two outlets with the same wire text: one story, and explain says they are copies of one
    text, the later one silent (nobody's neighbour: its links say nothing)."""
    from tests.support.stories import load

    wire = load("quake_a1")
    sources = []
    for outlet in ("coast", "valley"):
        folder = tmp_path / outlet
        folder.mkdir()
        (folder / "quake.txt").write_text(f"{wire.title}\n\n{wire.text}\n")
        sources.append(f"  - name: {outlet}\n    path: {folder}\n")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n" + "".join(sources) + "output_dir: out\n")
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["build", "--config", str(cfg), "--format", "json", "-o", "-"]) == 0
    stories = json.loads(capsys.readouterr().out)["stories"]
    assert len(stories) == 1 and len(stories[0]["also"]) == 1
    assert main(["explain", "--config", str(cfg), stories[0]["story_id"], "--json"]) == 0
    keys = [v["key"] for v in json.loads(capsys.readouterr().out)["versions"]]
    assert main(["explain", "--config", str(cfg), *keys, "--json"]) == 0
    pair = json.loads(capsys.readouterr().out)
    assert pair["merged"] is True and "copies of one text" in pair["why"]
    assert pair["stages"]["one_copy_group"] is True and sorted(pair["stages"]["silent"]) == [False, True]


def test_explain_takes_the_ids_the_json_digest_shows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``id`` in the JSON digest (the record's own id) names a story or an article for explain;
    an id two sources used is refused in one line naming both keys."""
    from tests.support.stories import load

    cfg = config(tmp_path)
    rows = [("md-904", "quake_a1", "Coast News", "06:00"), ("vw-17", "quake_a2", "Valley Wire", "07:00"),
            ("md-905", "derby", "Coast News", "08:00"), ("vw-18", "council_a", "Valley Wire", "09:00"),
            ("md-905", "council_b", "Valley Wire", "10:00")]  # Coast News's id again, from another source
    lines = []
    for rid, name, source, at in rows:
        doc = load(name)
        lines.append(json.dumps({"id": rid, "title": doc.title, "text": doc.text, "source": source,
                                 "published": f"2026-03-06T{at}:00Z"}))
    data = tmp_path / "in.jsonl"
    data.write_text("\n".join(lines[:4]) + "\n")
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    data.write_text(lines[4] + "\n")
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    digest = json.loads((tmp_path / "out" / "digest-2026-03-06.json").read_text())
    quake = next(s for s in digest["stories"] if s["also"])
    shown = [v["id"] for v in (quake["lead"], *quake["also"])]
    assert sorted(shown) == ["md-904", "vw-17"]
    capsys.readouterr()

    assert main(["explain", "--config", str(cfg), "md-904", "--json"]) == 0
    why = json.loads(capsys.readouterr().out)
    assert why["story"] == quake["story_id"] and sorted(v["id"] for v in why["versions"]) == shown
    assert main(["explain", "--config", str(cfg), "md-904", "vw-17", "--json"]) == 0
    pair = json.loads(capsys.readouterr().out)
    assert pair["merged"] is True and {pair["a"]["key"], pair["b"]["key"]} == {v["key"] for v in why["versions"]}

    assert main(["explain", "--config", str(cfg), "md-905"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: md-905: the id of 2 articles"), err
    keys = [k.partition(" (")[0] for k in err[0].rpartition(": ")[2].split(", ")]  # each "KEY (its source)"
    assert len(keys) == 2
    for key in keys:  # each named key works
        assert main(["explain", "--config", str(cfg), key, "--json"]) == 0
    capsys.readouterr()

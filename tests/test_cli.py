"""The command line: every command has help; dedupe honours its contract."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from digest.cli import COMMANDS, build_parser, main

FIX = Path(__file__).parent / "fixtures" / "stories"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    help_text = COMMANDS[name][0]
    assert len(help_text) > 15
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: digest {name}" in out and help_text in out


def test_top_level_help_lists_every_command() -> None:
    text = build_parser().format_help()
    for name in COMMANDS:
        assert name in text


def _records() -> list[dict[str, object]]:
    recs = []
    for f in sorted(FIX.glob("*.txt")):
        title, _, body = f.read_text(encoding="utf-8").partition("\n")
        recs.append({"id": f.stem, "title": title, "text": body, "source": f.stem.split("_")[0]})
    # an HTML copy of one story with junk around it
    title, _, body = (FIX / "quake_a1.txt").read_text(encoding="utf-8").partition("\n")
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n") if p.strip())
    html = (
        "<div class='share'>Share this</div>" + paras + "<p>Leave a Reply</p>"
        "<p>Your email address will not be published. Required fields are marked *</p>"
    )
    recs.append({"id": "quake_copy", "title": title + " | Coast News", "html": html, "source": "coast"})
    return recs


def test_dedupe_contract_order_ids_and_one_lead_per_story(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    recs = _records()
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(json.dumps(r) + "\n" for r in recs)))
    assert main(["dedupe", "-"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == [r["id"] for r in recs]
    assert all(set(r) == {"id", "story", "lead"} for r in rows)
    story = {r["id"]: r["story"] for r in rows}
    assert story["quake_a1"] == story["quake_a2"] == story["quake_copy"]
    assert story["quake_b"] != story["quake_a1"]
    leads: dict[str, int] = {}
    for r in rows:
        leads[r["story"]] = leads.get(r["story"], 0) + int(r["lead"])
    assert set(leads.values()) == {1}


def test_dedupe_reports_bad_lines_and_keeps_going(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ['{"id": "a", "title": "One", "text": "Some text here."}', "{not json", '{"title": "no id"}']
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["dedupe"]) == 1
    cap = capsys.readouterr()
    assert [json.loads(x)["id"] for x in cap.out.splitlines()] == ["a"]
    assert "stdin:2: invalid JSON" in cap.err and "stdin:3:" in cap.err


def test_dedupe_file_skips_a_line_not_utf8_and_accepts_a_byte_order_mark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "in.jsonl"
    data.write_bytes(b'\xef\xbb\xbf{"id": "a", "title": "One", "text": "Some text."}\n'
                     b'{"id": "x9", "title": "caf\xe9", "text": "t"}\n'
                     b'{"id": "b", "title": "Two", "text": "Other text."}\n')
    assert main(["dedupe", str(data)]) == 1
    cap = capsys.readouterr()
    assert [json.loads(x)["id"] for x in cap.out.splitlines()] == ["a", "b"]
    assert cap.err.splitlines() == [f"error: {data}:2: not UTF-8 (byte 0xe9 at column 27); save the file as UTF-8"]


@pytest.mark.parametrize("published", ["1e20", "NaN", '"9999-12-31T23:00:00-05:00"'])
def test_dedupe_reads_a_time_off_the_calendar_as_no_time(
    published: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    line = '{"id": "a", "title": "One", "text": "Some text.", "published": ' + published + "}\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(line))
    assert main(["dedupe"]) == 0  # it was a traceback: published is optional, as if not given
    assert json.loads(capsys.readouterr().out) == {"id": "a", "story": "a", "lead": True}


def test_control_characters_never_reach_the_story(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from digest.records import Entry
    from digest.text.prepare import prepare

    art = prepare(Entry(source="s", title="Bell\x07 title\x00", text="Body \x1b[31mred\x1b[0m text.\x7f"))
    assert art is not None
    assert art.title == "Bell title" and "\x1b" not in art.text and "\x7f" not in art.text


def test_the_public_api_is_small_lazy_and_complete() -> None:
    """``import digest`` is cheap (the CLI starts fast); every exported name resolves."""
    import subprocess
    import sys

    import digest

    code = "import sys, digest; print(sorted(m for m in ('numpy', 'datasketch', 'trafilatura', 'httpx') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    for name in digest.__all__:
        assert getattr(digest, name) is not None, name
    assert set(dir(digest)) == set(digest.__all__) == {*digest._EXPORTS, "__version__"}
    eng = digest.Engine()
    assert eng.add(digest.Doc(id="a", title="Quake", text="A quake shook the coast.")).new_story


@pytest.mark.parametrize("port", ["70000", "65536", "-1", "http"])
def test_serve_refuses_a_port_out_of_range_in_one_line(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["serve", "--port", port])  # as main parses (a port taken would serve)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == f"digest serve: error: argument --port: not a port (1-65535, or 0 for any free one): {port!r}"
    assert build_parser().parse_args(["serve", "--port", "0"]).port == 0  # any free port, as make_server takes


def test_the_library_refuses_a_port_out_of_range(tmp_path: Path) -> None:
    from digest.config import parse_config
    from digest.errors import DigestError
    from digest.service.web import make_server

    cfg = parse_config(f"sources: []\ndata_dir: {tmp_path}\n", path=tmp_path / "feeds.yaml")
    with pytest.raises(DigestError, match=r"^serve: port 70000 is not a port \(1-65535"):
        make_server(cfg, "127.0.0.1", 70000)


def test_verbose_is_taken_before_or_after_the_command() -> None:
    """``digest run --verbose`` was an error ("unrecognized arguments"): only ``digest
    --verbose run`` was taken."""
    from digest.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["run", "--verbose"]).verbose
    assert parser.parse_args(["-v", "sources"]).verbose
    assert not parser.parse_args(["send"]).verbose


def test_a_search_word_left_out_before_the_double_dash_says_how_to_give_it(capsys: pytest.CaptureFixture[str]) -> None:
    """``digest search dam -bakery`` was refused as "unrecognized arguments: -bakery" alone: a new
    user did not find the ``--`` the README gives."""
    with pytest.raises(SystemExit) as stop:
        main(["search", "dam", "-bakery"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: -bakery (a word to leave out goes after --: digest search -- dam -bakery)" in err

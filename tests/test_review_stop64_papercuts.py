"""Stop 64: three operator papercuts of the new user's review (docs/evaluation.md, "Stop 64: a
new user's review", left; "Stop 64: three papercuts" for what was done).

Each through the command line as the user met it: a folder source read by ``digest run``, a
configuration file loaded, a command before any run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.cli import main
from digest.config import load_config
from digest.errors import ConfigError


def _notes_config(tmp_path: Path, article: str) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "votes.md").write_text(article)
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: Notes\n    path: notes\ntimezone: UTC\nclock: 2026-11-20T20:00:00Z\n")
    return cfg


def test_front_matter_with_an_unquoted_colon_keeps_its_title_and_says_so_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """``title: Votes: yes`` (a colon left unquoted): YAML refuses the block, which was read as
    text and its ``title:`` line dropped by the cleaning, so the title was the body's first
    sentence and the entry's heading and excerpt the same sentence."""
    cfg = _notes_config(tmp_path, "---\ntitle: Votes: yes\ndate: 2026-11-19T09:00:00Z\n---\n"
                                  "Halden's council voted 8-3 on Thursday to build a cycle bridge.\n")
    with caplog.at_level("WARNING"):
        assert main(["run", "-q", "--config", str(cfg)]) == 0
    said = [r.getMessage() for r in caplog.records if "front matter" in r.getMessage()]
    assert said == ["Notes: votes.md: its front matter is not valid YAML (mapping values are not allowed "
                    "here, line 2 of the file); title read as written (quote a value holding ': ')"]
    capsys.readouterr()
    assert main(["build", "--config", str(cfg), "--date", "2026-11-20", "--format", "json", "-o", "-"]) == 0
    view = json.loads(capsys.readouterr().out)
    [story] = [s for sec in view["sections"] for s in sec["stories"]]
    assert story["title"] == "Votes: yes"
    assert story["lead"]["published"] == "2026-11-19T09:00:00+00:00"  # the block's other lines read too
    assert story["lead"]["text"] == "Halden's council voted 8-3 on Thursday to build a cycle bridge."


def _mail_config(tmp_path: Path, email: str) -> Path:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(f"sources: []\nemail:\n  host: 127.0.0.1\n  security: none\n{email}")
    return cfg


@pytest.mark.parametrize(
    ("email", "line", "key", "value"),
    [
        ("  from: digest@example.org\n  to: [not-an-address]\n", 6, "email.to[0]", "not-an-address"),
        ("  from: digest@example.org\n  to:\n    - ann@example.org\n    - bob@\n", 8, "email.to[1]", "bob@"),
        ("  from: digest at example.org\n  to: [ann@example.org]\n", 5, "email.from", "digest at example.org"),
        ("  from: d@example.org\n  to: ['ann@example.org, bob@example.org']\n", 6, "email.to[0]",
         "ann@example.org, bob@example.org"),
    ],
)
def test_a_mail_address_that_is_none_is_said_when_the_configuration_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], email: str, line: int, key: str, value: str
) -> None:
    """``to: [not-an-address]`` loaded, and was "sent" to a server that took anything (only a
    real server's refusal said it)."""
    cfg = _mail_config(tmp_path, email)
    with pytest.raises(ConfigError):
        load_config(cfg)
    assert main(["status", "--config", str(cfg)]) == 2
    [err] = capsys.readouterr().err.strip().splitlines()
    assert err.startswith(f"error: {cfg}:{line}: {key}: {value!r} ")
    assert "not a mail address" in err or "list each as an entry of its own" in err


def test_display_names_and_idn_domains_are_mail_addresses(tmp_path: Path) -> None:
    to = ["Ann <ann@example.org>", '"Doe, Bob" <bob@example.org>', "jörg@bücher.example",
          "Hanako <hanako@例え.テスト>", "eve@xn--bcher-kva.example", "root@localhost"]
    cfg = _mail_config(tmp_path, f"  from: Digest <digest@example.org>\n  to: {json.dumps(to, ensure_ascii=False)}\n")
    email = load_config(cfg).email
    assert email is not None and email.to == to and email.from_ == "Digest <digest@example.org>"


EMAIL = "email: {host: 127.0.0.1, port: 1, security: none, from: a@example.org, to: [b@example.org]}\n"


@pytest.mark.parametrize(
    ("command", "email", "said"),
    [
        (["build"], "", "no store yet at {store}: run `digest run` first (nothing written)"),
        (["build", "--format", "md", "-o", "-"], "", "no store yet at {store}: run `digest run` first (nothing written)"),
        (["send"], "", "email is not configured (add an 'email:' section to the configuration)"),
        (["send"], EMAIL, "no store yet at {store}: run `digest run` first (nothing written or sent)"),
        (["send", "--date", "2026-11-19"], EMAIL,
         "no store yet at {store}: run `digest run` first (nothing written or sent)"),
    ],
)
def test_build_and_send_before_any_run_say_so_in_one_line_and_make_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], email: str, said: str
) -> None:
    """``digest build`` before any run made a store and wrote today's empty digest (exit 0);
    ``digest send`` without ``email:`` made a store, then said mail is not configured."""
    cfg = _notes_config(tmp_path, "# Library late fees scrapped\n\nNo more late fees from January.\n")
    cfg.write_text(cfg.read_text() + email)
    assert main([*command, "--config", str(cfg)]) == 2
    out = capsys.readouterr()
    store = tmp_path / "data" / "digest.sqlite3"
    assert out.err.splitlines() == [f"error: {said.format(store=store)}"] and out.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feeds.yaml", "notes"]  # no data/, no out/
    assert main(["run", "-q", "--config", str(cfg)]) == 0  # then, as before
    capsys.readouterr()
    done = main([*command, "--config", str(cfg)])
    assert "no store yet" not in capsys.readouterr().err and (command[0] != "build" or done == 0)

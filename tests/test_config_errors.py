"""Configuration errors: every problem listed, each with its file:line, typos offered a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from digest.config import load_config, parse_config
from digest.errors import ConfigError

TYPO = """\
# my feeds
sources:
  - nmae: Coast
    url: https://coast.example/feed
  - name: Valley
    url: https://valley.example/feed
    priorty: 2
  - name: Valley
    url: https://valley2.example/feed
schedule:
  poll_minutes: -1
colour: blue
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    lines = str(err.value).splitlines()
    assert all(line.startswith(f"{cfg}:") for line in lines), lines
    return [line.removeprefix(f"{cfg}:") for line in lines]


def test_every_problem_is_listed_in_file_order_with_its_line(tmp_path: Path) -> None:
    got = problems(tmp_path, TYPO)
    assert "3: sources[0].nmae: unknown key; did you mean 'name'?" in got
    assert "7: sources[1].priorty: unknown key; did you mean 'priority'?" in got
    assert "11: schedule.poll_minutes: Input should be greater than 0" in got
    assert any(p.startswith("12: colour: unknown key (known here: sources, ") for p in got), got
    assert not any("more problem" in p for p in got)
    assert [int(p.split(":")[0]) for p in got] == sorted(int(p.split(":")[0]) for p in got)


def test_a_duplicate_name_is_reported_at_its_own_line(tmp_path: Path) -> None:
    got = problems(tmp_path, TYPO.replace("nmae", "name"))
    assert got == ["7: sources[1].priorty: unknown key; did you mean 'priority'?",
                   "8: sources[2].name: duplicate source name 'Valley' (first at line 5)",
                   "11: schedule.poll_minutes: Input should be greater than 0",
                   got[-1]]
    # alone, too (the model is otherwise valid)
    alone = "sources:\n  - name: A\n    url: https://a.example/\n  - name: A\n    url: https://b.example/\n"
    assert problems(tmp_path, alone) == ["4: sources[1].name: duplicate source name 'A' (first at line 2)"]


def test_the_cli_prints_one_error_line_per_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(TYPO)
    assert main(["run", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) >= 5 and all(line.startswith(f"error: {cfg}:") for line in err), err


def test_an_unknown_locale_is_one_line_and_a_known_one_is_normalised(tmp_path: Path) -> None:
    assert problems(tmp_path, "locale: xx_YY\n") == [
        "1: locale: unknown locale 'xx_YY' (a name such as en_GB, en_US, de_DE)"
    ]
    cfg = tmp_path / "ok.yaml"
    cfg.write_text("locale: de-DE\n")
    assert load_config(cfg).locale == "de_DE"
    cfg.write_text("timezone: UTC\n")
    assert load_config(cfg).locale == "en_GB"


def test_a_clock_needs_a_time_zone_and_the_daemon_refuses_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert problems(tmp_path, "clock: 2026-11-20T20:00:00\n") == [
        "1: clock: needs a time zone, such as 2026-11-20T20:00:00Z or +01:00"
    ]
    cfg = tmp_path / "fixed.yaml"
    cfg.write_text(f"clock: 2026-11-20T20:00:00+01:00\ndata_dir: {tmp_path / 'data'}\n")
    loaded = load_config(cfg)
    assert loaded.now().isoformat() == "2026-11-20T19:00:00+00:00"
    assert main(["daemon", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err.splitlines()
    # the file named (the newcomer's bundled feeds.yaml sets it: stop 36), and what to do
    assert len(err) == 1 and err[0].startswith(f"error: {cfg}: clock: 2026-11-20T20:00:00+01:00 "), err
    assert "remove the line" in err[0]


SECTIONS = """\
sources:
  - {name: Terrace, url: "https://t.example/f", category: Sport}
  - {name: Ledger, url: "https://l.example/f", category: Business}
  - {name: Stars, url: "https://s.example/f"}
digests:
  - {name: weekly-sport, sections: [Sports]}
  - name: morning
    sections:
      - Business
      - Other
      - Weather
"""


def test_a_section_no_source_has_as_category_is_an_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert problems(tmp_path, SECTIONS) == [
        "6: digests[0].sections[0]: no source has the category 'Sports'; did you mean 'Sport'? "
        "(categories of the sources: Sport, Business)",
        "11: digests[1].sections[2]: no source has the category 'Weather' "
        "(categories of the sources: Sport, Business)",
    ]
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(SECTIONS.replace("[Sports]", "[Sport]").replace("      - Weather\n", ""))
    assert [d.sections for d in load_config(cfg).digests] == [["Sport"], ["Business", "Other"]]
    # without any category, every section is unknown: said so, once per section
    assert problems(tmp_path, "sources: []\ndigests:\n  - {name: a, sections: [World]}\n") == [
        "3: digests[0].sections[0]: no source has the category 'World' (no source has a category)"
    ]
    cfg.write_text(SECTIONS)
    assert main(["build", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and err[0].startswith(f"error: {cfg}:6: digests[0].sections[0]:"), err


def test_a_filters_category_or_source_that_names_nothing_is_an_error_at_its_line(tmp_path: Path) -> None:
    text = (
        "sources:\n"
        "  - {name: Sport Desk, url: 'https://s.example/rss', category: Sport}\n"
        "filters:\n"
        "  - mute: rumour\n"
        "    categories: [Sprot]\n"
        "    sources: [Sport Dsk, Nobody]\n"
        "digests:\n"
        "  - name: morning\n"
        "    filters:\n"
        "      - boost: quake\n"
        "        categories: [Sport]\n"
        "        sources: [Gossip]\n"
    )
    with pytest.raises(ConfigError) as err:
        parse_config(text, path=tmp_path / "feeds.yaml")
    assert str(err.value).splitlines() == [
        f"{tmp_path / 'feeds.yaml'}:5: filters[0].categories[0]: no source has the category 'Sprot'; "
        "did you mean 'Sport'? (categories of the sources: Sport)",
        f"{tmp_path / 'feeds.yaml'}:6: filters[0].sources[0]: no source is named 'Sport Dsk'; "
        "did you mean 'Sport Desk'? (sources: Sport Desk)",
        f"{tmp_path / 'feeds.yaml'}:6: filters[0].sources[1]: no source is named 'Nobody' (sources: Sport Desk)",
        f"{tmp_path / 'feeds.yaml'}:12: digests[0].filters[0].sources[0]: no source is named 'Gossip' (sources: Sport Desk)",
    ]


def test_folders_that_cannot_be_one_are_an_error_at_their_line(tmp_path: Path) -> None:
    """``output_dir`` an existing file was a FileExistsError traceback after the sources had
    been read; ``templates`` a missing folder a FileNotFoundError one.  One line each now, at
    load, naming the key and its line; a missing ``output_dir`` is made, as before."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "feed.rss").write_text("<rss/>")
    head = "sources:\n  - name: A\n    path: articles\n"
    assert problems(tmp_path, head + "output_dir: feed.rss\ntemplates: nope\n") == [
        f"4: output_dir: not a folder: {tmp_path / 'feed.rss'} is a file",
        f"5: templates: no such folder: {tmp_path / 'nope'}",
    ]
    assert problems(tmp_path, head + "output_dir: feed.rss/out\n") == [
        f"4: output_dir: not a folder: {tmp_path / 'feed.rss'} is a file"]
    assert problems(tmp_path, head + "templates: feed.rss\n") == [
        f"4: templates: not a folder: {tmp_path / 'feed.rss'}"]
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(head + "output_dir: new/out\n")
    assert load_config(cfg).output_dir == tmp_path / "new" / "out"


def test_a_number_or_nothing_where_text_belongs_says_so_and_how_to_write_it(tmp_path: Path) -> None:
    # YAML reads `timezone: 5` as a number and `locale:` as nothing; pydantic said "Input should
    # be a valid string", which names neither what was read nor the fix
    got = problems(tmp_path, "sources:\n  - name: 2024\n    url: https://a.example/feed\ntimezone: 5\nlocale:\n")
    assert got == [
        "2: sources[0].name: needs text, not 2024 (write it in quotes)",
        "4: timezone: needs text, not 5 (write it in quotes)",
        "5: locale: needs text, not nothing",
    ]


def test_a_bool_that_is_not_one_says_what_it_must_be(tmp_path: Path) -> None:
    """pydantic said "Input should be a valid boolean, unable to interpret input" (stop 46 review)."""
    got = problems(tmp_path, "sources:\n  - name: A\n    url: https://a.example/feed\n    enabled: flase\n")
    assert got == ["4: sources[0].enabled: must be true or false, not 'flase'"]
    got = problems(tmp_path, "sources:\n  - name: A\n    url: https://a.example/feed\n    enabled:\n")
    assert got == ["4: sources[0].enabled: must be true or false, not nothing"]


@pytest.mark.parametrize(("text", "line", "seen"), [
    ("sources:\n  - name: A\n    url: [https://a.example/feed\n    priority: 1\noutput_dir: out\n", 3, 4),
    ("sources:\n  - name: A\n    url: https://a.example/feed\noutput_dir out2\ntimezone: UTC\n", 4, 5),
    ('sources:\n  - name: "A\n    url: https://a.example/feed\n', 2, 4),
])
def test_yaml_left_open_is_said_where_it_was_opened(tmp_path: Path, text: str, line: int, seen: int) -> None:
    """An unclosed '[', a quote, a key without its ':' is seen by the parser lines later; the error
    named that later line (stop 46 review: a '[' of line 3 said at line 20)."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(cfg)
    said = str(exc.value)
    assert said.startswith(f"{cfg}:{line}: invalid YAML: ") and f" at line {seen} (" in said, said

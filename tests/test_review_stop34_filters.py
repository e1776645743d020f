"""Review (stop 34) of filter rules: patterns a reader writes that silently do the wrong thing.

Each case was a rule that parsed fine and then muted every story, or never matched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest.config import parse_config
from digest.errors import ConfigError
from digest.output.filters import Rules, Version

SOURCES = "sources:\n  - {name: Sport Desk, url: 'https://s.example/rss', category: Sport}\n"


def cfg_rules(rules: str) -> Rules:
    return Rules(parse_config(SOURCES + "filters:\n" + rules, path=Path("/tmp/feeds.yaml")).filters)


@pytest.mark.parametrize(
    "pattern", ["horoscope|", "horoscope||sponsored", "", "(sponsored)?", "x*"]
)
def test_an_unscoped_rule_that_matches_empty_text_is_refused_at_its_line(pattern: str) -> None:
    # a stray "|" made a mute rule match every text: every story was muted, the digest empty
    text = SOURCES + f'filters:\n  - boost: "quake"\n  - mute: "{pattern}"\n'
    with pytest.raises(ConfigError) as exc:
        parse_config(text, path=Path("/tmp/feeds.yaml"))
    msg = str(exc.value)
    assert msg.startswith("/tmp/feeds.yaml:5: filters[1]: ") and "matches empty text" in msg
    assert len(msg.splitlines()) == 1


def test_a_scoped_rule_may_match_everything_of_its_sources() -> None:
    r = cfg_rules('  - mute: ".*"\n    sources: [Sport Desk]\n')
    assert r.first("mute", [Version("Sport Desk", "Sport", "Derby", "")]) is not None
    assert r.first("mute", [Version("Other", None, "Derby", "")]) is None


@pytest.mark.parametrize(
    "pattern", [r"\\bвойна\\b", r"\\b(café|crème)\\b", r"\\w+ист", r"\\b(?:Über)"]
)
def test_an_ascii_word_class_beside_a_non_ascii_letter_is_refused(pattern: str) -> None:
    # RE2's \b and \w are ASCII: "\bвойна\b" parsed fine and never matched "это война сейчас"
    with pytest.raises(ConfigError) as exc:
        parse_config(SOURCES + f'filters:\n  - mute: "{pattern}"\n', path=Path("/tmp/feeds.yaml"))
    msg = str(exc.value)
    assert msg.startswith("/tmp/feeds.yaml:4: filters[0]: ") and "ASCII" in msg and r"\PL" in msg


def test_the_suggested_whole_word_spelling_works_and_ascii_boundaries_stay() -> None:
    r = cfg_rules('  - mute: "(^|\\\\PL)война(\\\\PL|$)"\n  - boost: "\\\\bwar\\\\b|мир"\n')
    assert r.first("mute", [Version("A", None, "Это ВОЙНА сейчас", "")]) is not None
    assert r.first("mute", [Version("A", None, "Война", "")]) is not None
    assert r.first("mute", [Version("A", None, "войнами", "")]) is None
    assert r.first("boost", [Version("A", None, "The war ends", "")]) is not None
    assert r.first("boost", [Version("A", None, "Warsaw", "")]) is None


def test_the_muted_stories_articles_are_counted_so_the_header_adds_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "4 articles read · 2 stories · 0 duplicates collapsed" and "1 story muted": the muted
    # story's 2 articles were in no count, so the reader could not account for them
    import json
    from datetime import UTC, date, datetime, timedelta

    from digest.app import App
    from digest.cli import main
    from digest.output.render import render_text
    from digest.store.base import open_store
    from tests.support.digests import WEEKLY, digests_config, ingest_story

    mon = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
    digests = (
        '\n  - name: morning\n    sections: [World, Local]\n    time: "07:00"\n'
        + WEEKLY.lstrip("\n")
    )
    cfg_path = digests_config(tmp_path, 25, digests, extra='filters:\n  - mute: "library"\n')
    cfg = parse_config(cfg_path.read_text(), path=cfg_path)
    with App(cfg, open_store(cfg.database_url)) as app:
        ingest_story(app, "Coast News", "quake_a1", mon)
        ingest_story(app, "City Desk", "council_a", mon + timedelta(hours=1))  # a library: muted
        ingest_story(app, "Coast News", "council_a", mon + timedelta(hours=3))  # its copy
        ingest_story(app, "City Desk", "council_b", mon + timedelta(hours=2))
        view = app.build_view(date(2026, 11, 9), digest="morning")
    assert (view.articles_read, len(view.stories), view.duplicates_collapsed) == (4, 2, 0)
    assert view.muted_articles == 2
    assert view.articles_read == len(view.stories) + view.duplicates_collapsed + view.muted_articles
    args = [
        "build",
        "--config",
        str(cfg_path),
        "--date",
        "2026-11-09",
        "--digest",
        "morning",
        "-o",
        "-",
    ]
    for fmt in ("md", "html"):
        assert main([*args, "--format", fmt]) == 0
        text = " ".join(re.sub(r"<[^>]+>", "", capsys.readouterr().out).split())
        assert "1 story (2 articles) muted by your filters." in text, fmt
    email = render_text(view, tz=cfg.tz)
    assert "1 story (2 articles) muted by your filters." in email
    assert main([*args, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["counts"] == {
        "articles_read": 4,
        "stories": 2,
        "also_reported": 0,
        "backlog": 0,
        "duplicates_collapsed": 0,
        "muted_articles": 2,
    }


def _many_rules(n: int) -> tuple[Rules, list[str]]:
    import random

    rng = random.Random(7)
    words = [
        "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(4, 9))) for _ in range(3000)
    ]
    body = "".join(
        f'  - mute: "zq{rng.choice(words)} x|\\\\bqq{rng.choice(words)}\\\\b"\n' for _ in range(n)
    )
    return cfg_rules(body + '  - boost: "zzboost"\n'), words


def test_hundreds_of_rules_read_each_version_once() -> None:
    # 400 rules over 300 stories of three 4 kB versions took 2.8 s (every rule searched
    # every text in turn); a day's page in the archive, a week's digest, paid it each time
    import random
    import time

    rules, words = _many_rules(400)
    rng = random.Random(8)
    stories = [
        [Version("S", None, " ".join(rng.choices(words, k=10)), " ".join(rng.choices(words, k=600)))
         for _ in range(3)]
        for _ in range(300)
    ]  # fmt: skip
    t0 = time.perf_counter()
    assert all(rules.first("mute", vs) is None for vs in stories)
    assert time.perf_counter() - t0 < 1.0


def test_the_rules_read_together_pick_the_same_first_rule_as_one_by_one() -> None:
    rules = cfg_rules(
        '  - mute: "(?P<n>sponsored)"\n  - mute: "(?P<n>advert)"\n'
        '  - mute: "(?s)a.b"\n  - mute: "^Live:"\n  - mute: "horoscope"\n'
        '  - mute: "transfer rumour"\n    categories: [Sport]\n'
    )
    assert rules.any_of["mute"] is not None
    cases = [
        [Version("X", None, "a\nb", "")],
        [Version("X", None, "x", "live: nope"), Version("Y", None, "Live: now", "")],
        [Version("X", None, "Transfer rumour", "")],
        [
            Version("X", None, "Transfer rumour", ""),
            Version("Sport Desk", "Sport", "t", "transfer rumour"),
        ],
        [Version("X", None, "Your HOROSCOPE", "advert")],
        [Version("X", None, "ab", "x live: y")],
    ]
    for vs in cases:
        one_by_one = next(
            (
                r
                for r in rules.rules
                if any(r.covers(v.source, v.category) and r.matches(v.title, v.text) for v in vs)
            ),
            None,
        )
        assert rules.first("mute", vs) is one_by_one
    assert [rules.first("mute", vs) is None for vs in cases] == [
        False,
        False,
        True,
        False,
        False,
        True,
    ]

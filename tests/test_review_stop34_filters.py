"""Review (stop 34) of filter rules: patterns a reader writes that silently do the wrong thing.

Each case was a rule that parsed fine and then muted every story, or never matched."""

from __future__ import annotations

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

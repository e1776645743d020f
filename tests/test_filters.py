"""Mute and boost rules: RE2 patterns, scopes, and their configuration errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from digest.config import parse_config
from digest.errors import ConfigError
from digest.output.filters import Rules, Version, compile_pattern


def rules(text: str) -> Rules:
    sources = "".join(f"  - {{name: {n}, url: 'https://{i}.example/rss'{c}}}\n" for i, (n, c) in enumerate(
        [("Sport Desk", ", category: Sport"), ("Gossip Daily", ""), ("Business Wire", ", category: Business")]))
    cfg = parse_config(f"sources:\n{sources}filters:\n" + text, path=Path("/tmp/feeds.yaml"))
    return Rules(cfg.filters)


def v(source: str, title: str, text: str = "", category: str | None = None) -> Version:
    return Version(source, category, title, text)


def test_mute_matches_title_or_text_case_insensitively() -> None:
    r = rules('  - mute: "horoscope|sponsored content"\n')
    assert r.first("mute", [v("A", "Your HOROSCOPE for Tuesday")]) is not None
    assert r.first("mute", [v("A", "Markets", "This is Sponsored Content from a bank.")]) is not None
    assert r.first("mute", [v("A", "Quake shakes coast", "No stars here.")]) is None
    assert r.first("boost", [v("A", "Your horoscope")]) is None  # a mute rule is no boost


def test_a_scoped_rule_only_reads_versions_of_its_categories_and_sources() -> None:
    r = rules('  - mute: "transfer rumour"\n    categories: [Sport]\n    sources: [Gossip Daily]\n')
    rumour = "Transfer rumour: striker to leave"
    assert r.first("mute", [v("Sport Desk", rumour, category="Sport")]) is not None
    assert r.first("mute", [v("Gossip Daily", rumour)]) is not None
    assert r.first("mute", [v("Business Wire", rumour, category="Business")]) is None
    # any covered version mutes the story
    assert r.first("mute", [v("Business Wire", rumour, category="Business"), v("X", rumour, category="Sport")])


def test_a_catastrophic_pattern_runs_in_linear_time() -> None:
    r = rules('  - mute: "(a+)+$"\n')
    text = "a" * 90_000 + "!"  # under the cap (MAX_CHARS): the whole text is read
    t0 = time.perf_counter()
    assert r.first("mute", [v("A", "t", text)]) is None
    assert time.perf_counter() - t0 < 1.0  # a backtracking engine takes longer than the universe


@pytest.mark.parametrize(("pattern", "why"), [("(a", "missing )"), (r"(a)\\1", "invalid escape"), ("(?<=x)y", "invalid perl operator")])
def test_a_bad_pattern_is_a_configuration_error_at_its_line(pattern: str, why: str, capfd: pytest.CaptureFixture[str]) -> None:
    text = f'sources: []\nfilters:\n  - boost: "quake"\n  - mute: "{pattern}"\n'
    with pytest.raises(ConfigError) as exc:
        parse_config(text, path=Path("/tmp/feeds.yaml"))
    msg = str(exc.value)
    assert msg.startswith("/tmp/feeds.yaml:4: filters[1]: bad regular expression") and why in msg
    assert "re2.cc" not in capfd.readouterr().err  # RE2's own logging stays off


def test_rules_need_exactly_one_pattern_and_digests_unique_names() -> None:
    with pytest.raises(ConfigError, match="exactly one of 'mute' or 'boost'"):
        parse_config('filters:\n  - mute: "a"\n    boost: "b"\n', path=Path("/tmp/f.yaml"))
    with pytest.raises(ConfigError, match="a second digest named 'morning'"):
        parse_config("digests:\n  - name: morning\n  - name: morning\n", path=Path("/tmp/f.yaml"))
    with pytest.raises(ConfigError, match="every"):
        parse_config("digests:\n  - name: weekly\n    every: fortnight\n", path=Path("/tmp/f.yaml"))


def test_compile_pattern_names_the_pattern() -> None:
    with pytest.raises(ValueError, match=r"bad regular expression '\[': missing \]"):
        compile_pattern("[")

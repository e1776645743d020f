"""Several digests: sections by category, mute and boost rules, weekly views (pure parts)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from digest.config import parse_config
from digest.output.digests import OTHER, arrange, plan_named, plans, week_of
from digest.records import DigestView, StoryView, VersionView

AT = datetime(2026, 11, 10, 9, tzinfo=UTC)
CONFIG = """
sources:
  - {name: Valley Wire, url: "https://v.example/f", category: World}
  - {name: Ledger, url: "https://l.example/f", category: Business}
  - {name: Terrace, url: "https://t.example/f", category: Sport}
  - {name: Stars Daily, url: "https://s.example/f"}
filters:
  - mute: "horoscope"
  - boost: "earthquake|tsunami"
digests:
  - name: morning
    sections: [World, Business]
  - name: weekly-sport
    sections: [Sport]
    every: week
    weekday: monday
    filters:
      - mute: "women's"
"""


def cfg():  # type: ignore[no-untyped-def]
    return parse_config(CONFIG, path=Path("/tmp/feeds.yaml"))


def story(sid: str, *versions: tuple[str, str], text: str = "", new: bool = True) -> StoryView:
    vs = [VersionView(src, title, None, AT, text, id=f"{sid}-{i}", new=new) for i, (src, title) in enumerate(versions)]
    return StoryView(sid, vs[0].title, vs[0], vs[1:])


def cats() -> dict[str, str]:
    return {s.name: s.category for s in cfg().sources if s.category}


def test_each_story_once_in_the_first_of_the_digests_sections_it_belongs_to() -> None:
    morning = plan_named(cfg(), "morning")
    both = story("both", ("Ledger", "Markets slide"), ("Valley Wire", "Stocks fall worldwide"))
    stories = [both, story("biz", ("Ledger", "Bank raises rates")), story("sport", ("Terrace", "Harriers win")),
               story("none", ("Stars Daily", "Film festival opens"))]
    sections, muted = arrange(stories, morning, cats())
    assert [(s.name, [x.story_id for x in s.stories]) for s in sections] == [
        ("World", ["both"]), ("Business", ["biz"]), (OTHER, ["sport", "none"])]
    assert muted == []


def test_muted_stories_are_left_out_and_boosted_go_first_in_their_section() -> None:
    morning = plan_named(cfg(), "morning")
    stories = [story("calm", ("Valley Wire", "Elections held")),
               story("quake", ("Valley Wire", "Strong EARTHQUAKE hits coast")),
               story("stars", ("Stars Daily", "Your horoscope"), ("Valley Wire", "Stars align"))]
    sections, muted = arrange(stories, morning, cats())
    assert [x.story_id for x in sections[0].stories] == ["quake", "calm"]
    assert [(s.story_id, r.kind, r.pattern) for s, r in muted] == [("stars", "mute", "horoscope")]


def test_a_digests_own_rules_add_to_the_global_ones() -> None:
    sport = plan_named(cfg(), "weekly-sport")
    stories = [story("w", ("Terrace", "Women's final tonight")), story("m", ("Terrace", "Derby draw"))]
    sections, muted = arrange(stories, sport, cats())
    assert [s.story_id for s, _ in muted] == ["w"] and [x.story_id for x in sections[0].stories] == ["m"]
    morning = plan_named(cfg(), "morning")
    assert arrange(stories, morning, cats())[1] == []  # morning has no such rule


def test_without_digests_one_daily_digest_and_sections_only_when_sources_have_categories() -> None:
    plain = parse_config("sources:\n  - {name: A, url: 'https://a.example/f'}\n", path=Path("/tmp/f.yaml"))
    [p] = plans(plain)
    assert p.name is None and p.every == "day"
    assert p.files(plain, date(2026, 11, 10), "md") == plain.output_dir / "digest-2026-11-10.md"
    sections, _ = arrange([story("a", ("A", "t"))], p, {})
    assert [(s.name, len(s.stories)) for s in sections] == [("", 1)]
    named = plan_named(cfg(), "weekly-sport")
    assert named.files(cfg(), date(2026, 11, 15), "html").parts[-2:] == ("weekly-sport", "digest-weekly-sport-2026-11-15.html")


def test_a_weekly_digest_is_dated_the_day_before_its_weekday_and_covers_seven_days() -> None:
    weekly = plan_named(cfg(), "weekly-sport")
    assert weekly.due(date(2026, 11, 15)) and not weekly.due(date(2026, 11, 16))  # Sunday, for Monday
    assert weekly.days(date(2026, 11, 15)) == [date(2026, 11, d) for d in range(9, 16)]
    assert plan_named(cfg(), "morning").days(date(2026, 11, 15)) == [date(2026, 11, 15)]


def test_week_of_shows_each_story_once_with_its_new_versions_and_a_count_per_day() -> None:
    mon = story("derby", ("Terrace", "Derby tonight"))
    tue = story("derby", ("Terrace", "Derby tonight"), ("Ledger", "Derby gate receipts"))
    tue.lead.new = False  # already new on Monday
    other = story("cup", ("Terrace", "Cup draw"))
    # developing: two versions from a week before, one new on Tuesday
    old = story("strike", ("Ledger", "Strike called"), ("Terrace", "Strike hits fixtures"), ("Valley Wire", "Strike ends"))
    old.lead.new = old.also[0].new = False
    views = [DigestView("2026-11-09", [mon], 1, 0), DigestView("2026-11-10", [tue, other, old], 3, 1)]
    week = week_of(views, date(2026, 11, 15))
    assert [s.story_id for s in week.stories] == ["strike", "derby", "cup"]  # most outlets first
    derby = week.stories[1]
    assert derby.lead.new and all(v.new for v in derby.also)  # new on one day or the other
    assert week.per_day == [("2026-11-09", 1), ("2026-11-10", 3)] and week.articles_read == 4
    # the week's versions beyond one per story: derby's second; not the strike's earlier two
    assert week.duplicates_collapsed == 1


def test_a_week_is_written_with_the_months_in_full_across_month_and_year_ends() -> None:
    from digest.output.dates import format_day, format_days

    thin = "\u2009–\u2009"
    assert format_days("2026-11-17", "2026-11-23") == f"17{thin}23 November 2026"
    assert format_days("2026-11-27", "2026-12-03") == f"27 November{thin}3 December 2026"
    assert format_days("2026-12-28", "2027-01-03") == f"28 December 2026{thin}3 January 2027"
    assert format_days("2026-11-27", "2026-12-03", "en_US") == f"November 27{thin}December 3, 2026"
    assert format_days("2026-11-17", "2026-11-23", "de_DE") == "17.–23. November 2026"
    assert format_days("2026-11-20", "2026-11-20") == format_day("2026-11-20") == "Friday, 20 November 2026"


def test_a_spanish_week_writes_de_with_its_months_in_full() -> None:
    """CLDR's own pattern for months in full: the abbreviated one, widened, read '5–11 julio 2026'."""
    from digest.output.render import format_days

    thin = "\u2009–\u2009"
    assert format_days("2026-07-05", "2026-07-11", "es") == "5–11 de julio de 2026"
    assert format_days("2026-06-29", "2026-07-05", "es_ES") == f"29 de junio{thin}5 de julio de 2026"
    assert format_days("2026-12-28", "2027-01-03", "es_MX") == f"28 de diciembre de 2026{thin}3 de enero de 2027"
    assert format_days("2026-07-05", "2026-07-11", "ca") == "5–11 de juliol del 2026"

"""Stop 46: the review of its own changes (a helper's failing tests, one a fault; each failed before its fix)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from digest.output.days import day_frame, frame_day, gone_later, pin_frame, shown_day
from digest.store.base import Store, open_store
from tests.support.config import make_config

D = date(2026, 12, 2)


def _store(tmp_path: Path) -> Store:
    return open_store(str(tmp_path / "s.db"))


def test_gone_later_says_nothing_went_out_when_only_the_zone_moved(tmp_path: Path) -> None:
    """London's 2 December written (its frame kept), then timezone: America/New_York.  At 20:00
    New York (01:00 London on the 3rd) what arrives is the 3rd's (frame_day, shown_day agree),
    nothing was sealed: gone_later still says it went to a later digest as the 2nd's 'went out'."""
    london = make_config(tmp_path, timezone="Europe/London")
    ny = make_config(tmp_path, timezone="America/New_York")
    store = _store(tmp_path)
    try:
        pin_frame(store, london, D)
        at = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 20:00 New York on the 2nd
        today = frame_day(store, ny, at)
        assert today == shown_day(store, ny, at) == date(2026, 12, 3)
        assert gone_later(store, ny, {at: 1}, today) is None
    finally:
        store.close()


def test_windows_do_not_overlap_when_the_zone_moves_east_by_more_than_a_day(tmp_path: Path) -> None:
    """Pago Pago (UTC-11) to Kiritimati (UTC+14): 25 hours.  The 2nd written in Pago Pago ends at
    11:00 UTC on the 3rd (kept); Kiritimati's 4th begins at 10:00 UTC on the 3rd.  The 3rd's frame
    is cut to nothing (max(start, end)), but the 2nd and the 4th then overlap by an hour: an
    article read at 10:30 UTC on the 3rd is new in both (module doc: 'no window overlaps')."""
    pago = make_config(tmp_path, timezone="Pacific/Pago_Pago")
    kiri = make_config(tmp_path, timezone="Pacific/Kiritimati")
    store = _store(tmp_path)
    try:
        pin_frame(store, pago, D)
        from digest.output.days import day_window

        at = datetime(2026, 12, 3, 10, 30, tzinfo=UTC)
        holding = [d for d in (D, D + timedelta(days=1), D + timedelta(days=2))
                   if day_window(store, kiri, d)[0] <= at < day_window(store, kiri, d)[1]]
        assert len(holding) == 1, holding
        from digest.output.days import shown_day

        assert shown_day(store, kiri, at) == holding[0]  # not the empty day between
    finally:
        store.close()


def test_seven_versions_of_one_text_and_two_other_thirds_are_three_thirds() -> None:
    """profile_cap counts a pair's thirds as a sum of weights 1 / (versions of the text among the
    thirds) and compares the float sum with ``profile_thirds``: seven versions of one text weigh
    1/7 each, and 1 + 1 + 7 * (1/7) sums to 2.9999999999999996 < 3.  Three texts are no
    evidence where the same three texts, one version each, are."""
    from dataclasses import replace as copy_of

    from tests.test_profile_cap import _cap, _dated

    a1, b1, a2, b2, a3 = (_dated("rovers_a1", 0, 17), _dated("rovers_b1", 3, 21), _dated("rovers_a2", 0, 18),
                          _dated("rovers_b2", 3, 22), _dated("rovers_a3", 0, 19))
    plain = _cap([a1, b1, a2, b2, a3])
    assert plain[0, 1] < 1.0  # three thirds: the contrast is read
    copies = [copy_of(a2, id=f"rovers_a2~c{i}", text=a2.text + f"\n\nCopy {i} of the wire report.")
              for i in range(6)]
    cap = _cap([a1, b1, a2, b2, a3, *copies])
    assert cap[0, 1] < 1.0, cap[0, 1]


def test_a_line_indented_wrong_is_said_at_its_own_line_not_the_documents_first(tmp_path: Path) -> None:
    """Nothing is left open here: line 6 is indented one space less than the list above it.
    The parser's context mark is where the top-level block mapping began (line 1), and the
    new rule (a context mark before the problem's line) says 'feeds.yaml:1', the file's first
    line, where before it said line 6."""
    import pytest

    from digest.config import parse_config
    from digest.errors import ConfigError

    text = ("title: News\ntimezone: UTC\nsources:\n  - name: a\n    url: http://x.example/feed\n"
            " - name: b\n")
    with pytest.raises(ConfigError) as err:
        parse_config(text, path=tmp_path / "feeds.yaml")
    assert f"{tmp_path / 'feeds.yaml'}:6:" in str(err.value), str(err.value)


def _note(folder: Path, name: str, title: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"---\ntitle: {title}\n---\n\n{text}\n", encoding="utf-8")


def test_the_archive_index_lists_the_day_that_holds_now_after_the_zone_moved_west(tmp_path: Path, make_app) -> None:
    """London's 2 December written (its frame kept), then timezone: America/New_York.  A story
    read at 20:00 New York on the 2nd is the 3rd's (App.today, shown_day: the 2nd ended at
    London's midnight).  The archive's ``Pages.today`` is still the calendar date (the 2nd), and
    its index scans back from there: the day that holds what was read now is in no list."""
    from digest.service.webpages import Pages

    notes = tmp_path / "notes"
    _note(notes, "library.md", "Council approves the Victoria Street library",
          "The council approved the library rebuild on Victoria Street on Friday. " * 4)
    london = make_app(tmp_path, {"Desk": notes}, timezone="Europe/London")
    with london:
        london.run(now=datetime(2026, 12, 2, 10, tzinfo=UTC))
        london.write_digests(day=D)
    _note(notes, "ferry.md", "Ferry Aurora runs aground near Kestrel Point",
          "The ferry Aurora ran aground near Kestrel Point; all 212 passengers are safe. " * 4)
    ny = make_app(tmp_path, {"Desk": notes}, timezone="America/New_York")
    now = datetime(2026, 12, 3, 1, tzinfo=UTC)  # 20:00 New York, the 2nd
    with ny:
        ny.run(now=now)
        assert shown_day(ny.store, ny.cfg, now) == date(2026, 12, 3)
        pages = Pages(ny.cfg, feed_days=2, index_days=7, feed_max=50, clock=lambda: now)
        assert date(2026, 12, 3) in pages.known_days(ny.store)


def test_send_date_refuses_a_day_whose_kept_frame_has_not_ended(tmp_path: Path) -> None:
    """London's 2 December written (its frame kept: it ends at 00:00 UTC on the 3rd), then
    timezone: Asia/Tokyo.  At 05:00 Tokyo on the 3rd (20:00 UTC on the 2nd) the 2nd is still
    the day that holds now (frame_day, App.today), but ``check_ended`` reads the calendar date
    in Tokyo (the 3rd) and let ``digest send --date 2026-12-02`` mail and seal it mid-day."""
    import pytest

    from digest.errors import DigestError
    from digest.service.maildays import check_ended

    london = make_config(tmp_path, timezone="Europe/London")
    now = datetime(2026, 12, 2, 20, tzinfo=UTC)
    tokyo = make_config(tmp_path, timezone="Asia/Tokyo", clock=now.isoformat())
    store = _store(tmp_path)
    try:
        pin_frame(store, london, D)
        assert frame_day(store, tokyo, now) == D
        assert now < day_frame(store, tokyo, D)[1]
        with pytest.raises(DigestError):
            check_ended(D, tokyo, store)  # as `digest send --date` asks it
    finally:
        store.close()

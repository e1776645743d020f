"""``digest build`` of a weekly digest, for any day of a week: the same week as ``digest send``
takes (``Plan.days``, the configured weekday's week), on a real SQLite store read from a
loopback feed and mailed through aiosmtpd."""

from __future__ import annotations

import email
import json
from datetime import date, datetime, timedelta
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
import yaml

from digest.cli import main
from tests.support.daemon import loopback_config, rss, smtpd
from tests.support.httpd import TestServer

#: A week mailed on Wednesdays covers Wednesday to Tuesday: 18 to 24 November 2026.
WEEK = [date(2026, 11, 18) + timedelta(days=i) for i in range(7)]


def _set_clock(cfg: Path, clock: str) -> None:
    data = yaml.safe_load(cfg.read_text())
    data["clock"] = clock
    cfg.write_text(yaml.safe_dump(data))


def _read_on(cfg: Path, srv: TestServer, name: str, at: str) -> None:
    srv.set(f"/{name}", rss(name, range(2), datetime.fromisoformat(at)))
    _set_clock(cfg, at)
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0


def _built(cfg: Path, day: date, capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], str]:
    capsys.readouterr()
    assert main(["build", "--config", str(cfg), "--digest", "week", "--date", day.isoformat(),
                 "--format", "json", "-o", "-"]) == 0
    said = capsys.readouterr()
    return json.loads(said.out), said.err


def _per_day(html: str) -> list[dict[str, Any]]:
    """The mailed week's per-day counts read back ("Wednesday, 18 November 2026: 1 · ...")."""
    import re

    import lxml.html

    text = " ".join(lxml.html.fromstring(html).text_content().split())
    found = re.findall(r"\w+day, (\d+ \w+ \d{4}): (\d+)(?: \+ (\d+) earlier)?", text)
    return [{"date": datetime.strptime(d, "%d %B %Y").date().isoformat(), "stories": int(n), "earlier": int(e or 0)}
            for d, n, e in found]


def test_a_week_built_for_any_day_of_it_is_the_week_send_mails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestServer() as srv, smtpd() as (inbox, port):
        srv.set("/a", rss("alpha", range(2), datetime.fromisoformat("2026-11-16T09:00:00Z")))
        cfg = loopback_config(
            tmp_path, srv, {"alpha": "/a"}, clock="2026-11-16T09:00:00Z",
            digests=[{"name": "week", "every": "week", "weekday": "wednesday", "time": "08:00"}],
            email={"host": "127.0.0.1", "port": port, "security": "none", "from": "digest@example.org",
                   "to": ["ann@example.org"]})
        assert main(["run", "--config", str(cfg), "--quiet"]) == 0  # Monday 16th: the week before
        data = yaml.safe_load(cfg.read_text())
        for name in ("beta", "gamma"):  # empty until their day
            srv.set(f"/{name}", rss(name, range(0)))
            data["sources"].append({"name": name, "url": srv.url(f"/{name}")})
        cfg.write_text(yaml.safe_dump(data))
        _read_on(cfg, srv, "beta", "2026-11-18T10:00:00Z")  # the week's first day, a Wednesday
        _read_on(cfg, srv, "gamma", "2026-11-24T10:00:00Z")  # its last, a Tuesday
        _set_clock(cfg, "2026-11-25T09:00:00Z")  # the Wednesday the week is mailed: a new week began
        built = {}
        for day in WEEK:
            got, err = _built(cfg, day, capsys)
            assert (got["first_day"], got["date"]) == ("2026-11-18", "2026-11-24"), (day, got)
            assert [d["date"] for d in got["per_day"]] == [d.isoformat() for d in WEEK]
            if day != WEEK[-1]:
                assert err.strip() == "digest week: " f"{day} is in the week of 2026-11-18 to 2026-11-24: that week's digest"
            built[day] = got
        assert all(b == built[WEEK[0]] for b in built.values())  # one week, whichever day named it
        # the 17th and the 25th are in the weeks on either side
        assert _built(cfg, date(2026, 11, 17), capsys)[0]["date"] == "2026-11-17"
        # the week of the 25th to 1 December began today: built so far for any of its days, the
        # days after today too, as its first day began it; the week after, for none of its days
        for day in (date(2026, 11, 25), date(2026, 11, 27), date(2026, 12, 1)):
            got, _ = _built(cfg, day, capsys)
            assert (got["first_day"], got["date"]) == ("2026-11-25", "2026-12-01"), (day, got)
        for day in (date(2026, 12, 2), date(2026, 12, 8)):
            capsys.readouterr()
            assert main(["build", "--config", str(cfg), "--digest", "week", "--date", day.isoformat(),
                         "--format", "json", "-o", "-"]) == 2
            assert "has no digest yet: today is 2026-11-25" in capsys.readouterr().err
        assert main(["send", "--config", str(cfg), "--digest", "week", "--date", "2026-11-20"]) == 0
    assert len(inbox.messages) == 1
    html = email.message_from_bytes(inbox.raw[0], policy=default_policy).get_body(("html",))
    assert html is not None
    text = html.get_content()
    week = built[WEEK[0]]
    titles = [s["title"] for s in week["stories"]]
    assert titles and all(t in text or t.replace("&", "&amp;") in text for t in titles)
    assert week["per_day"] == _per_day(text)  # the mail's days and counts, the built week's

"""Review of the stop 48 day's changes: what their own tests did not try."""

from __future__ import annotations

import subprocess
import sys


def _runs_within(code: str, seconds: float) -> bool:
    """Whether ``code`` ends within ``seconds`` in a fresh interpreter."""
    try:
        subprocess.run([sys.executable, "-c", code], check=True, timeout=seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


def test_headline_of_a_run_of_colons_is_quick():
    # a feed's title "Breaking ::::::…:: x" (300 characters at most) rendered every digest
    code = ("from digest.output.context import headline\n"
            "assert headline('Breaking ' + ':' * 60 + 'x') == 'Breaking ' + ':' * 60 + 'x'\n"
            "assert headline('Teen shoots self ::') == 'Teen shoots self'\n")
    assert _runs_within(code, 20)


def _listed_twice(tmp_path, capsys, caplog, url):
    """What ``digest sources`` says of a feed listed under ``url`` and ``url/``."""
    from digest.cli import main

    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(f"data_dir: data\ntimezone: UTC\nsources:\n  - name: Private\n    url: {url}\n"
                   f"  - name: Private again\n    url: {url}/\n")
    main(["sources", "--config", str(cfg)])
    out = capsys.readouterr()
    return out.out + out.err + "\n".join(r.getMessage() for r in caplog.records)


def test_a_feed_listed_twice_is_warned_of_without_its_password(tmp_path, capsys, caplog):
    # the warning, said at every run and into cron mail, printed both URLs whole
    said = _listed_twice(tmp_path, capsys, caplog, "https://me:s3cret@feeds.example.invalid/feed")
    assert "reads the same feed" in said, said
    assert "s3cret" not in said, said
    assert "https://me:***@feeds.example.invalid/feed/ and https://me:***@feeds.example.invalid/feed)" in said


def test_a_password_after_a_user_name_that_is_an_address_is_hidden(tmp_path, capsys, caplog):
    # https://me@corp.example:pw@host/feed is read (urlsplit, httpx) as user me@corp.example:
    # the lines printing the configured URL (a feed listed twice, 'moved for good') showed it whole
    from digest.errors import without_password

    assert without_password("from https://me@corp.example:s3cret@h.example/feed, retry") == (
        "from https://me@corp.example:***@h.example/feed, retry")
    assert without_password("https://me:s3c@ret@h.example/feed") == "https://me:***@h.example/feed"
    said = _listed_twice(tmp_path, capsys, caplog, "https://me@corp.example:s3cret@feeds.example.invalid/feed")
    assert "reads the same feed" in said and "s3cret" not in said, said


def test_a_host_that_is_no_punycode_is_a_bad_url_not_a_traceback():
    # "http://xn--/" (configured, typed to digest add, or a redirect's Location): idna's
    # IDNAError came out of fetch as a traceback (digest add), "unexpected IDNAError" in a run
    import asyncio

    import pytest

    from digest.config.model import FetchConfig
    from digest.errors import FetchError
    from digest.sources.fetch import FetchRequest, fetch, fetch_many
    from tests.support.httpd import TestServer

    cfg = FetchConfig(allow_hosts=["127.0.0.1"])
    with pytest.raises(FetchError, match="bad URL"):
        fetch("http://xn--/feed", config=cfg, source="S")
    with TestServer() as srv:
        srv.redirect("/r", "http://xn--/feed")
        with pytest.raises(FetchError, match="bad redirect"):
            fetch(srv.url("/r"), config=cfg, source="S")
        got = asyncio.run(fetch_many([FetchRequest(url=srv.url("/r"), source="R"),
                                      FetchRequest(url="http://xn--/feed", source="C")], config=cfg))
    assert [type(r).__name__ for r in got] == ["FetchError", "FetchError"], got
    assert "bad redirect" in str(got[0]) and "bad URL" in str(got[1]), got
    assert not any("unexpected" in str(r) for r in got), got


def test_a_source_url_urlsplit_cannot_read_is_no_traceback(tmp_path, capsys):
    # "http://[::1/feed" (a bracket not closed): feed_key, read for the warning of a feed
    # listed twice, raised ValueError: a traceback from every command reading the configuration
    from digest.cli import main
    from digest.text.identity import feed_key

    assert feed_key("http://[::1/feed") == "http://[::1/feed"
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("data_dir: data\ntimezone: UTC\nsources:\n"
                   "  - name: A\n    url: http://[::1/feed\n"
                   "  - name: B\n    url: https://example.invalid/feed\n")
    main(["sources", "--config", str(cfg)])
    assert "Traceback" not in capsys.readouterr().err


def test_an_update_stamp_with_its_time_zone_or_date_goes_whole_or_not_at_all():
    # the stamp ended before its time zone or date: the excerpt began "EDT: Police said ..."
    from digest.output.context import excerpt

    assert excerpt("UPDATE 9:45 a.m. EDT: Police said the man was found.") == "Police said the man was found."
    assert excerpt("UPDATE, 5 p.m. CST: Officials confirmed two deaths.") == "Officials confirmed two deaths."
    assert excerpt("Updated 9:45 a.m. Sunday, Feb. 5: A 17-year-old was arrested.") == "A 17-year-old was arrested."
    kept = "UPDATE 9:45 a.m. EDT; Police said the man was found."
    assert excerpt(kept) == kept


def test_an_empty_document_at_a_url_with_a_password_names_its_address_once():
    # "Empty: empty document from http://me:***@host/feed from http://me:***@host/feed (served
    # as text/plain)": the address was added again where the error named it with the password hidden
    from datetime import UTC, datetime

    import pytest

    from digest.config.model import FetchConfig
    from digest.errors import ParseError
    from digest.sources.discover import read_feed
    from digest.sources.fetch import fetch
    from tests.support.httpd import Reply, TestServer

    with TestServer() as srv:
        srv.handle("/empty", lambda req: Reply(b"", headers={"Content-Type": "text/plain"}))
        url = srv.url("/empty").replace("http://", "http://me:pw@")
        cfg = FetchConfig(allow_hosts=["127.0.0.1"])
        result = fetch(url, config=cfg, source="Empty")
        with pytest.raises(ParseError) as caught:
            read_feed(result, config=cfg, source="Empty", fetched=datetime.now(UTC))
    said = str(caught.value)
    assert said.count(" from ") == 1 and "pw" not in said.replace("me:***", ""), said


def test_an_excerpt_in_hindi_or_arabic_begins_with_its_lede():
    # the danda and the Arabic question mark were no stop to opening(): the lede's first two
    # lines (under 30 words) were skipped as a subheadline, the excerpt began at the third
    from digest.output.context import excerpt

    hindi = ("मुंबई में भारी बारिश से जनजीवन अस्त-व्यस्त हो गया।\n"
             "कई इलाकों में पानी भर गया है और लोकल ट्रेनें रुक गई हैं।\n"
             "मौसम विभाग ने अगले 48 घंटों के लिए अलर्ट जारी किया है (PTI).")
    assert excerpt(hindi).startswith("मुंबई में भारी बारिश"), excerpt(hindi)
    arabic = "هل تنجح المفاوضات؟\nقال الوزير إن المحادثات ستستمر.\nوأضاف أن الوفد سيعود غدا."
    assert excerpt(arabic).startswith("هل تنجح"), excerpt(arabic)


def test_a_long_password_in_a_bad_url_is_hidden_before_the_url_is_cut():
    # the line cut the URL at 200 characters, then hid the password: a long token lost its "@"
    # and was printed (its first 190 characters) in the run's error line and the store
    import pytest

    from digest.config.model import FetchConfig
    from digest.errors import FetchError
    from digest.sources.fetch import fetch

    cfg = FetchConfig(allow_hosts=["127.0.0.1"])
    for url in ("http://me:" + "S" * 250 + "@127.0.0.1:99999/feed", "ftp://me:" + "S" * 250 + "@127.0.0.1/feed"):
        with pytest.raises(FetchError) as caught:
            fetch(url, config=cfg, source="feed")
        assert "SSSS" not in str(caught.value) and "me:***@127.0.0.1" in str(caught.value), caught.value


def test_a_refusal_of_ehlo_for_good_says_the_servers_answer():
    # 554 to EHLO (a host listed on a block list): the line said STARTTLS is not supported (with
    # security: starttls) or "sender refused: 503 send HELO first", the server's reason lost
    from zoneinfo import ZoneInfo

    import pytest
    from aiosmtpd.controller import Controller

    from digest.output.mailer import DeliveryError, build_message, send
    from tests.support.daemon import free_port
    from tests.test_mailer import email_cfg, view

    class Refusing:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            return ["554 5.7.1 <client>: Helo command rejected: your host is listed at bl.example"]

    ctl = Controller(Refusing(), hostname="127.0.0.1", port=free_port(), ready_timeout=10)
    ctl.start()
    try:
        for security in ("none", "starttls"):
            cfg = email_cfg(port=ctl.port, security=security)
            msg = build_message(view(), cfg, tz=ZoneInfo("UTC"), html="<p>x</p>", text="x", message_id="<a@b.example>")
            with pytest.raises(DeliveryError) as caught:
                send(msg, cfg, timeout=10)
            assert "554 5.7.1" in str(caught.value) and "listed at bl.example" in str(caught.value), caught.value
            assert "STARTTLS" not in str(caught.value) and caught.value.permanent, caught.value
    finally:
        ctl.stop()


def test_a_429_holds_its_server_not_another_port_of_its_host():
    # a bridge on this machine answering 429 held the feeds of another server on another port
    # of the same host: each "not asked: 127.0.0.1 said to wait", Retry-After 600 s kept
    import asyncio

    from digest.config.model import FetchConfig
    from digest.records import FetchResult
    from digest.sources.fetch import FetchRequest, fetch_many
    from tests.support.daemon import rss
    from tests.support.httpd import Reply, TestServer

    with TestServer() as a, TestServer() as b:
        a.handle("/f", lambda req: Reply(b"", status=429, headers={"Retry-After": "600"}))
        a.set("/g", rss("alpha", range(2)))
        for i in range(3):
            b.set(f"/f{i}", rss("beta", range(2)))
        cfg = FetchConfig(allow_hosts=["127.0.0.1"], per_host=1)
        reqs = [FetchRequest(url=a.url("/f"), source="A"), FetchRequest(url=a.url("/g"), source="A2"),
                *(FetchRequest(url=b.url(f"/f{i}"), source=f"B{i}") for i in range(3))]
        got = asyncio.run(fetch_many(reqs, config=cfg))
    assert [isinstance(r, FetchResult) for r in got] == [False, False, True, True, True], got
    assert "not asked" in str(got[1]), got[1]

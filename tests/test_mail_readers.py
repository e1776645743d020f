"""A digest for several readers: one message each, carrying its reader's address alone.

Before, all recipients shared one ``To:``, so every reader of a family or team digest saw every
other reader's address.  A real aiosmtpd server on 127.0.0.1, a real SQLite store, and for the
crash a real ``digest send`` process killed mid-send.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from digest.cli import main
from digest.output.mailer import DeliveryError, default_target, deliver
from digest.store.base import Store, open_store
from tests.support.httpd import TestServer
from tests.test_mailer import DAY, TZ, Collector, email_cfg, parse, smtpd, store, view
from tests.test_review_stop48_smtp import yesterday_read

__all__ = ["store"]  # the fixture, used below

FAMILY = ["Ann Doe <ann@home.example>", "bob@home.example", "Cy Doe <cy@home.example>"]
ADDRESSES = ["ann@home.example", "bob@home.example", "cy@home.example"]


class Greylisting(Collector):
    """Answers RCPT of ``address`` with ``answer`` while it is set."""

    def __init__(self, address: str, answer: str) -> None:
        super().__init__()
        self.address, self.answer = address, answer

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.answer and address == self.address:
            return self.answer
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_each_reader_gets_a_message_carrying_only_their_own_address(store: Store) -> None:
    """It was one message, ``To: Ann Doe <ann@...>, bob@..., Cy Doe <cy@...>``, to all three."""
    handler = Collector()
    with smtpd(handler) as port:
        assert deliver(store, view(), email_cfg(port, to=FAMILY), tz=TZ)
    assert len(handler.accepted) == 3
    ids = set()
    for (_, rcpts, raw, _), entry, address in zip(handler.accepted, FAMILY, ADDRESSES, strict=True):
        msg = parse(raw)
        assert rcpts == [address] and msg["To"] == entry
        assert msg["Cc"] is None and msg["Bcc"] is None
        others = [a for a in ADDRESSES if a != address]
        assert not any(other.encode() in raw for other in others), (address, others)
        ids.add(msg["Message-ID"])
    assert len(ids) == 3  # each reader's own, as each row records it


def test_a_retry_after_some_readers_were_refused_mails_only_those_owed(store: Store) -> None:
    """bob greylisted (450 at RCPT): ann and cy are mailed and recorded, the error names bob with
    the server's answer, and the retry mails bob alone, with the Message-ID of his first try."""
    handler = Greylisting("bob@home.example", "450 4.2.0 greylisted, try again later")
    with smtpd(handler) as port:
        cfg = email_cfg(port, to=FAMILY)
        with pytest.raises(DeliveryError) as err:
            deliver(store, view(), cfg, tz=TZ)
        line = str(err.value)
        assert "\n" not in line and not err.value.permanent and not err.value.unreachable
        assert "sent to Ann Doe <ann@home.example>, Cy Doe <cy@home.example>, but the server refused " \
               "bob@home.example (450 4.2.0 greylisted, try again later)" in line, line
        assert [m[1] for m in handler.accepted] == [["ann@home.example"], ["cy@home.example"]]
        assert store.delivery_status(DAY, default_target(cfg)) == "failed"
        bob = default_target(email_cfg(port, to=["bob@home.example"]))
        first_id = store.get_delivery(DAY, bob).message_id  # type: ignore[union-attr]
        handler.answer = ""
        assert deliver(store, view(), cfg, tz=TZ)
        assert not deliver(store, view(), cfg, tz=TZ)
    assert [m[1] for m in handler.accepted] == [["ann@home.example"], ["cy@home.example"], ["bob@home.example"]]
    assert parse(handler.accepted[2][2])["Message-ID"] == first_id
    assert store.delivery_status(DAY, default_target(cfg)) == "sent"


def test_a_server_refusing_the_connection_is_one_line_and_no_reader_is_tried_twice(store: Store) -> None:
    """Unreachable, the line is the server's problem once (not once a reader), ``unreachable``
    for the daemon's back-off."""
    from tests.test_mailer import free_port

    cfg = email_cfg(free_port(), to=FAMILY)
    with pytest.raises(DeliveryError) as err:
        deliver(store, view(), cfg, tz=TZ, timeout=5)
    assert str(err.value) == f"email via 127.0.0.1:{cfg.port}: connection refused" and err.value.unreachable



def test_readers_a_refused_connection_left_untried_get_message_ids_of_their_own(store: Store) -> None:
    """The mail server down at 07:05 (connection refused), up for the retry: bob and cy, left
    untried with no row of their own, were both mailed the list's Message-ID (ann hers, from her
    row): two messages, one Message-ID, of which a mailbox both reach (an alias, a forward)
    keeps one.  The list's row has no Message-ID now until every reader has theirs."""
    from tests.test_mailer import free_port

    with pytest.raises(DeliveryError):
        deliver(store, view(), email_cfg(free_port(), to=FAMILY), tz=TZ, timeout=5)
    handler = Collector()
    with smtpd(handler) as port:
        assert deliver(store, view(), email_cfg(port, to=FAMILY), tz=TZ)
    ids = [parse(m[2])["Message-ID"] for m in handler.accepted]
    assert [m[1][0] for m in handler.accepted] == ADDRESSES and len(set(ids)) == 3, ids

class Hanging(Collector):
    """Keeps the message to ``address`` unanswered (a server scanning it) while ``hold`` is set;
    ``late`` "250": it took it as it came (a server that queues what it got whole, the sender
    gone or not), another answer: it refuses it then;
    ``seen``: (recipient, raw) of every message that came, answered or not."""

    def __init__(self, address: str, late: str = "250 OK") -> None:
        super().__init__()
        self.address, self.late = address, late
        self.hold = True
        self.held = threading.Event()
        self.seen: list[tuple[str, bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.seen.append((envelope.rcpt_tos[0], envelope.content))
        if self.hold and envelope.rcpt_tos == [self.address]:
            if self.late.startswith("250"):  # queued now, answered later (aiosmtpd drops this
                await super().handle_DATA(server, session, envelope)  # task when the sender goes)
            self.held.set()
            while self.hold:
                await asyncio.sleep(0.05)
            return self.late
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.slow  # seconds by design (a `digest send` process killed mid-list): CI runs it (--run-slow), the README's run not
def test_a_send_killed_mid_list_mails_the_rest_and_no_reader_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """``digest send`` killed while the server held bob's message (all of it, its end too): ann
    has hers (recorded), bob's row is *whole* (in doubt), and the server then delivers his.
    The next send mailed bob again (the same Message-ID, a second copy all the same); now it
    counts bob's sent, unconfirmed (one line), and mails cy; ann and bob not again."""
    handler = Hanging("bob@home.example")
    with TestServer() as srv, smtpd(handler) as port:
        cfg_path, day = yesterday_read(tmp_path, srv, port, FAMILY)
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        proc = subprocess.Popen([sys.executable, "-m", "digest", "send", "--config", str(cfg_path), "--date", day],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        try:
            assert handler.held.wait(60), "the send never reached bob's message"
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
        handler.hold = False
        time.sleep(0.2)  # the held answer goes to a closed connection
        capsys.readouterr()
        with caplog.at_level(logging.WARNING, logger="digest"):
            assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
        said = capsys.readouterr().err.splitlines()
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
    got = [m[1][0] for m in handler.accepted]
    assert sorted(got) == sorted(ADDRESSES), got  # each once
    assert [to for to, _ in handler.seen].count("bob@home.example") == 1
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warned[0].startswith(f"digest {day} to bob@home.example: counted as sent, not mailed again"), warned
    assert said == [f"digest {day}: sent to cy@home.example"], said
    with open_store(f"sqlite:///{tmp_path / 'data' / 'digest.sqlite3'}") as s:
        rows = s.deliveries_on(day)
        assert not [r for r in rows if r.status in ("pending", "whole")]
        assert [r.target for r in rows if r.unconfirmed] == ["email:bob@home.example"]


class PerConnection(Collector):
    """Answers MAIL with 421 and closes once a connection carried ``limit`` messages (Exim's
    ``smtp_accept_max_per_connection``); ``total``: once it took that many in all (a rate
    limit: a new connection is answered alike).  ``connections``: how many came."""

    def __init__(self, limit: int, total: int | None = None) -> None:
        super().__init__()
        self.limit, self.total, self.connections = limit, total, 0

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]) -> list[str]:
        if not hasattr(session, "carried"):
            session.carried = 0
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if session.carried >= self.limit or (self.total is not None and len(self.accepted) >= self.total):
            asyncio.get_running_loop().call_later(0.01, server.transport.close)
            return "421 4.7.0 too many messages in this session"
        session.carried += 1
        envelope.mail_from = address
        return "250 OK"


def test_a_server_ending_each_connection_after_10_messages_gets_all_50_readers_on_new_ones(store: Store) -> None:
    """Readers 11-50 were left owed by the 421 after the 10th message, 10 more each retry (the
    daemon's backoff; a cron ``digest send``: 10 a day).  Now a new connection takes the rest."""
    handler = PerConnection(10)
    readers = [f"r{i:02}@team.example" for i in range(50)]
    with smtpd(handler) as port:
        cfg = email_cfg(port, to=readers)
        assert deliver(store, view(), cfg, tz=TZ)
    assert sorted(m[1][0] for m in handler.accepted) == readers  # each once
    assert handler.connections == 5
    assert store.delivery_status(DAY, default_target(cfg)) == "sent"


def test_a_server_refusing_more_for_now_ends_the_send_at_the_next_connection_and_the_retry_mails_the_rest(
    store: Store,
) -> None:
    """A limit by the hour (the new connection answered 421 too): one connection more, not one
    per reader; the rest owed, mailed once by the retry."""
    handler = PerConnection(10, total=10)
    readers = [f"r{i:02}@team.example" for i in range(30)]
    with smtpd(handler) as port:
        cfg = email_cfg(port, to=readers)
        with pytest.raises(DeliveryError) as err:
            deliver(store, view(), cfg, tz=TZ)
        assert "421 4.7.0 too many messages" in str(err.value) and not err.value.permanent
        assert handler.connections == 2 and len(handler.accepted) == 10
        handler.total = None
        assert deliver(store, view(), cfg, tz=TZ)
    assert sorted(m[1][0] for m in handler.accepted) == readers  # each once


def test_a_reader_listed_twice_in_other_spellings_gets_one_message(store: Store) -> None:
    """``Ann Doe <ann@...>`` and ``ANN@...`` are one reader: she had two messages (a row each:
    "email:ann doe <ann@...>", "email:ann@..."), where the one message to all had her once."""
    handler = Collector()
    with smtpd(handler) as port:
        cfg = email_cfg(port, to=["Ann Doe <ann@home.example>", "bob@home.example", "ANN@home.example",
                                  "ann@home.example"])
        assert deliver(store, view(), cfg, tz=TZ)
        assert not deliver(store, view(), cfg, tz=TZ)
    assert [m[1] for m in handler.accepted] == [["ann@home.example"], ["bob@home.example"]]
    assert parse(handler.accepted[0][2])["To"] == "Ann Doe <ann@home.example>"  # the first spelling


def test_a_list_send_of_the_version_before_cut_off_is_sent_again_with_its_message_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The digest of b165539 (one message To: all) claimed the list's row and recorded its
    Message-ID, then was killed waiting for the server's answer to the message, which it had
    taken.  The new ``digest send`` mailed each reader a message with a Message-ID of their own:
    each saw the digest twice (the old version's resend had carried the same one)."""
    from digest.config import load_config
    from digest.output.mailer import message_id_for

    handler = Collector()
    with TestServer() as srv, smtpd(handler) as port:
        cfg_path, day = yesterday_read(tmp_path, srv, port, FAMILY)
        email = load_config(cfg_path).email
        assert email is not None
        listed = default_target(email)
        with open_store(f"sqlite:///{tmp_path / 'data' / 'digest.sqlite3'}") as s:  # as b165539's deliver left it
            assert s.claim_delivery(day, listed)
            s.set_message_id(day, listed, message_id_for(day, listed, email))
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
    assert sorted(m[1][0] for m in handler.accepted) == ADDRESSES
    assert {parse(m[2])["Message-ID"] for m in handler.accepted} == {message_id_for(day, listed, email)}


def test_send_lines_name_each_reader_once_by_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """Ann listed as ``Ann Doe <ann@...>`` and ``ANN@...`` has one message, but the lines named
    the list's row as stored: "sent to ann doe <ann@home.example>,ann@home.example,bob@home.example",
    the same again after "already sent to", and a send killed while mailing bob warned twice,
    "to email:ann doe <ann@...>,ann@...,bob@...: the last send was interrupted" and "to
    email:bob@...: ...".  Each reader is named once now, by address, and the kill is one line."""
    from digest.config import load_config

    handler = Collector()
    to = ["Ann Doe <ann@home.example>", "bob@home.example", "ANN@home.example"]
    with TestServer() as srv, smtpd(handler) as port:
        cfg_path, day = yesterday_read(tmp_path, srv, port, to)
        email = load_config(cfg_path).email
        assert email is not None
        with open_store(f"sqlite:///{tmp_path / 'data' / 'digest.sqlite3'}") as s:  # killed mailing bob
            assert s.claim_delivery(day, default_target(email))
            assert s.claim_delivery(day, default_target(email.model_copy(update={"to": ["bob@home.example"]})))
        capsys.readouterr()
        with caplog.at_level(logging.WARNING, logger="digest"):
            assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
        said = capsys.readouterr().err.splitlines()
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
        again = capsys.readouterr().err.splitlines()
    assert sorted(m[1][0] for m in handler.accepted) == ["ann@home.example", "bob@home.example"]
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warned == [f"digest {day}: the last send (to bob@home.example) was interrupted; sending again"], warned
    assert said == [f"digest {day}: sent to ann@home.example, bob@home.example"], said
    assert len(again) == 1 and again[0].startswith(
        f"digest {day}: not sent: already sent to ann@home.example, bob@home.example at "), again


class Closing(Collector):
    """Answers the message to ``address`` with 421 and closes the connection, once."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address: str | None = address

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if envelope.rcpt_tos == [self.address]:
            self.address = None
            asyncio.get_running_loop().call_later(0.01, server.transport.close)
            return "421 4.7.0 closing"
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize("between", ["a 421 after bob", "dan added to to:", "ann alone in to:"])
def test_readers_of_a_list_send_of_the_version_before_keep_its_message_id_when_the_list_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], between: str
) -> None:
    """b165539 killed while the server took its message To: all (each reader may have it).  Its
    Message-ID was inherited from the send's own list row only: a first send of this version cut
    off by a 421 after bob left cy untried, and the retry, narrowed to "bob, cy" (a row of no
    Message-ID), mailed cy an id of their own; dan added to ``to:`` (a new list), ann, bob and cy
    each got their second message under an id of their own, and ann alone (a list of one) alike."""
    import yaml

    from digest.config import load_config
    from digest.output.mailer import message_id_for

    handler = Closing("bob@home.example") if between == "a 421 after bob" else Collector()
    with TestServer() as srv, smtpd(handler) as port:
        cfg_path, day = yesterday_read(tmp_path, srv, port, FAMILY)
        email = load_config(cfg_path).email
        assert email is not None
        old = message_id_for(day, default_target(email), email)
        with open_store(f"sqlite:///{tmp_path / 'data' / 'digest.sqlite3'}") as s:  # as b165539's deliver left it
            assert s.claim_delivery(day, default_target(email))
            s.set_message_id(day, default_target(email), old)
        readers = {"dan added to to:": [*FAMILY, "dan@home.example"], "ann alone in to:": FAMILY[:1]}.get(between)
        if readers is None:
            assert main(["send", "--config", str(cfg_path), "--date", day]) != 0  # cy not tried
        else:
            data = yaml.safe_load(cfg_path.read_text())
            data["email"]["to"] = readers
            cfg_path.write_text(yaml.safe_dump(data))
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
        assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
    ids = {m[1][0]: parse(m[2])["Message-ID"] for m in handler.accepted}
    assert len(ids) == len(handler.accepted), handler.accepted  # nobody twice
    assert {a: i for a, i in ids.items() if a != "dan@home.example"} == dict.fromkeys(
        ADDRESSES[:1] if between == "ann alone in to:" else ADDRESSES, old), ids
    assert ids.get("dan@home.example", "") != old


def test_a_send_killed_between_two_readers_warns_of_those_it_had_not_reached(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """Killed after ann's message was recorded, before bob's was begun (no reader's row pending,
    the list's is): the warning named the list, "the last send (to ann@..., bob@..., cy@...) was
    interrupted", then "sent to bob@..., cy@...": ann, reached, read as owed."""
    from digest.config import load_config

    handler = Collector()
    with TestServer() as srv, smtpd(handler) as port:
        cfg_path, day = yesterday_read(tmp_path, srv, port, FAMILY)
        email = load_config(cfg_path).email
        assert email is not None
        ann = default_target(email.model_copy(update={"to": FAMILY[:1]}))
        with open_store(f"sqlite:///{tmp_path / 'data' / 'digest.sqlite3'}") as s:
            assert s.claim_delivery(day, default_target(email)) and s.claim_delivery(day, ann)
            s.mark_sent(day, ann, "<ann-first@home.example>")
        with caplog.at_level(logging.WARNING, logger="digest"):
            assert main(["send", "--config", str(cfg_path), "--date", day]) == 0
    assert [m[1][0] for m in handler.accepted] == ADDRESSES[1:]
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warned == [f"digest {day}: the last send (to bob@home.example, cy@home.example) was interrupted; "
                      "sending again"], warned

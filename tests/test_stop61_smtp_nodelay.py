"""The SMTP client's connection sends its small writes at once (stop 61).

:class:`digest.output.smtpclient.Client` writes a message in two parts, the message and then
its end ("\\r\\n.\\r\\n", the store's in-doubt mark between them).  With Nagle's algorithm on,
the end waited for the server's acknowledgement of the message, which a server delays (40 ms
on Linux) since it answers only at the end: 40 ms a message, 2 s for 50 readers (the mail
tests' loopback sends: ``test_mail_readers`` 11.5 s -> 3.6 s).  Now ``TCP_NODELAY``."""

from __future__ import annotations

import socket
from email.message import EmailMessage

from digest.output.smtpclient import Client
from tests.support.daemon import smtpd


def test_the_clients_connection_sends_the_end_of_a_message_without_waiting() -> None:
    with smtpd() as (inbox, port):
        client = Client("127.0.0.1", port, timeout=10)
        try:
            assert client.sock is not None
            assert client.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = "d@example.org", "r@example.org", "one"
            message.set_content("the body\n")
            assert client.send_message(message) == {}  # the two-part write still mails it whole
            assert client.sent_whole
        finally:
            client.quit()
    assert len(inbox.messages) == 1

"""A digest is mailed once when ``digest send`` is killed between the server's acceptance
and its QUIT reply: real processes, SIGKILL, a real SMTP server on loopback, SQLite on disk.

``python -m benchmarks.mail_once`` runs the same trial 20 times.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.mail_once import RECIPIENTS, make_store, trial


@pytest.mark.slow
def test_send_killed_while_waiting_for_quit_does_not_mail_twice(tmp_path: Path) -> None:
    store, day = make_store(tmp_path / "seed")
    for i in range(2):
        t = trial(tmp_path / f"t{i}", store, day, quit_delay=8.0, kill_after=2.0)
        assert not t.problem, t.problem
        assert t.killed  # still waiting for the QUIT reply when killed
        # one message per address, each for the day; a resend would count 2
        assert {r for r, _ in t.per_address} == set(RECIPIENTS)
        assert all(day in subject for _, subject in t.per_address), t.per_address
        assert t.once, t.per_address

"""Stored fingerprints: a version byte, blobs stored before versions still read, and a blob of
another version made again from the stored text when the engine is rebuilt (never mixed)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from digest.dedup.engine import Doc, Engine
from digest.dedup.fingerprint import Fingerprint
from digest.dedup.params import FINGERPRINT_VERSION
from tests.support.config import MakeApp

FIXTURES = Path(__file__).parent / "fixtures"
#: ``unversioned.bin`` was written by the format before versions, for this article.
KIM = Doc(
    "kim",
    "Kim to meet Putin in Vladivostok",
    "Kim Jong Un will travel to Vladivostok by armoured train. Officials in Moscow said the talks "
    "would cover sanctions. The Kremlin confirmed the visit. Putin arrives on Wednesday.",
)
UNVERSIONED = (FIXTURES / "fingerprints" / "unversioned.bin").read_bytes()


def test_round_trip_carries_the_version_byte() -> None:
    eng = Engine()
    fp = eng.fingerprint(KIM)
    blob = fp.to_bytes()
    assert blob[0] == FINGERPRINT_VERSION and Fingerprint.version_of(blob) == FINGERPRINT_VERSION
    assert len(blob) % 4 == 1  # one byte before whole 4-byte words
    back = Fingerprint.from_bytes(blob)
    assert back == fp and back.to_bytes() == blob
    assert eng.stored_fingerprint(KIM, blob) == fp


def test_a_blob_stored_before_versions_still_reads() -> None:
    assert len(UNVERSIONED) % 4 == 0 and Fingerprint.version_of(UNVERSIONED) == 0
    old = Fingerprint.from_bytes(UNVERSIONED)
    now = Engine().fingerprint(KIM)
    assert old.terms == pytest.approx(now.terms) and old.words == now.words
    assert np.array_equal(old.signature, now.signature)
    # written again, it is the current format with the same content
    assert Fingerprint.from_bytes(old.to_bytes()) == old


def test_a_blob_of_another_version_is_made_again_from_the_text() -> None:
    eng = Engine()
    stale = Fingerprint({**Fingerprint.from_bytes(UNVERSIONED).terms, 12345: 7.0}, words=3)
    legacy = stale.to_bytes()[1:]  # the same blob as stored before versions
    future = bytes([FINGERPRINT_VERSION + 1]) + stale.to_bytes()[1:]
    for blob in (legacy, future):
        assert eng.stored_fingerprint(KIM, blob) == eng.fingerprint(KIM)
    with pytest.raises(ValueError, match="version"):
        Fingerprint.from_bytes(future)
    # a blob of the current version is taken as stored
    assert eng.stored_fingerprint(KIM, stale.to_bytes()) == stale


def test_the_rebuilt_engine_remakes_fingerprints_of_another_version_not_mixing_them(
    tmp_path: Path, make_app: MakeApp
) -> None:
    sources = {"Coast News": FIXTURES / "feeds" / "coast.rss"}
    wide = "dedup:\n  window_days: 36500\n"
    now = datetime.now(UTC)
    with make_app(tmp_path, sources, wide) as app:
        assert app.run(now=now).new_articles >= 2
        rows = list(app.store.articles_since(datetime(1970, 1, 1, tzinfo=UTC)))
        want = {r.key: app.engine.fingerprint_of(r.key) for r in rows}
        stale, kept = rows[0], rows[1]
        bogus = Fingerprint({123: 1.0, 456: 9.0}, words=2)
        db = app.store.db  # type: ignore[attr-defined]
        db.execute("UPDATE articles SET fingerprint=? WHERE key=?", (bogus.to_bytes()[1:], stale.key))
        db.execute("UPDATE articles SET fingerprint=? WHERE key=?", (bogus.to_bytes(), kept.key))
        db.commit()
    with make_app(tmp_path, sources, wide) as app:
        rebuilt = app.engine
        # the unversioned blob is made again from the stored title and text
        assert rebuilt.fingerprint_of(stale.key).terms == pytest.approx(want[stale.key].terms)
        # a blob of the current version is believed as stored
        assert rebuilt.fingerprint_of(kept.key).terms == bogus.terms
        # the one made again is stored in today's format: the next rebuild reads it as stored
        blobs = {r.key: r.fingerprint for r in app.store.articles_since(datetime(1970, 1, 1, tzinfo=UTC))}
        assert Fingerprint.version_of(blobs[stale.key]) == FINGERPRINT_VERSION
        stored, held = Fingerprint.from_bytes(blobs[stale.key]), rebuilt.fingerprint_of(stale.key)
        assert stored.terms == pytest.approx(held.terms) and stored.words == held.words
        assert blobs[kept.key] == bogus.to_bytes()

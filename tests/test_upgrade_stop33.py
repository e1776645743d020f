"""A store written before stop 33 changed three kinds of identity keys (a FeedBurner entry
without an id, an episode with only its file, an id several pages share): the upgrade shows
none of its articles as new again, and an older digest refuses the upgraded store."""

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.app import App
from digest.errors import StoreError
from digest.store import migrations
from digest.store.sqlite import SQLiteStore
from digest.text.identity import article_key, legacy_key, spelt_id_key, spelt_link_key
from tests.support.config import MakeApp

WORDS = ["harbour", "orchard", "railway", "museum", "glacier", "lighthouse"]


def _text(i: int) -> str:
    w = WORDS[i]
    return (f"The new {w} opened on Tuesday after four years of work. Residents queued for hours to see "
            f"the {w}, which cost {i + 3} million to build. Officials said the {w} opens daily.")


def _rss(items: list[str]) -> str:
    return ('<?xml version="1.0"?><rss version="2.0" xmlns:feedburner="http://rssnamespace.org/'
            'feedburner/ext/1.0"><channel><title>t</title><link>https://x.example/</link>'
            "<description>d</description>" + "".join(items) + "</channel></rss>")


def _burner(i: int) -> str:
    return (f"<item><title>Burner {WORDS[i]}</title><link>http://feeds.feedburner.com/~r/b/~3/{i}/</link>"
            f"<feedburner:origLink>https://burner.example/{i}</feedburner:origLink>"
            f"<description>{_text(i)}</description></item>")


def _episode(i: int) -> str:
    return (f'<item><title>Episode {WORDS[i]}</title><enclosure url="https://pod.example/{i}.mp3" '
            f'type="audio/mpeg" length="1"/><description>{_text(i)}</description></item>')


def _shared(i: int, guid: str) -> str:
    return (f"<item><title>Shared {WORDS[i]}</title><link>https://shared.example/p/{i}</link>"
            f"<guid>{guid}</guid><description>{_text(i)}</description></item>")


def _write(folder: Path, burner: list[int], pod: list[int], shared: list[int],
           guid: str = "https://shared.example/") -> None:
    (folder / "burner.rss").write_text(_rss([_burner(i) for i in burner]))
    (folder / "pod.rss").write_text(_rss([_episode(i) for i in pod]))
    (folder / "shared.rss").write_text(_rss([_shared(i, guid) for i in shared]))


def _app(tmp_path: Path, make_app: MakeApp) -> App:
    return make_app(tmp_path, {n: tmp_path / f"{n.lower()}.rss" for n in ("Burner", "Pod", "Shared")})


def _by_source(app: App) -> dict[str, int]:
    out: dict[str, int] = {}
    for a in app.store.articles_since(datetime(2000, 1, 1, tzinfo=UTC)):
        out[a.source] = out.get(a.source, 0) + 1
    return out


@pytest.mark.parametrize("guid", ["https://shared.example/", "http://www.shared.example/"])
@pytest.mark.parametrize("before_21", [False, True])
def test_articles_stored_under_their_keys_before_stop_33_are_not_new_again(
    tmp_path: Path, make_app: MakeApp, before_21: bool, guid: str
) -> None:
    # before_21: a store older still, whose link keys were not scoped by source (issue #21);
    # guid: the shared id an http one, keyed as spelt then (its page was stored once more)
    # the feeds as an older digest read them: the shared id listed on one page only (the old
    # digest kept the first entry under it), the others keyed as it keyed them
    _write(tmp_path, [0, 1], [0, 1], [0], guid)
    with _app(tmp_path, make_app) as app:
        assert app.run().new_articles == 5
        rows = list(app.store.articles_since(datetime(2000, 1, 1, tzinfo=UTC)))
    db = sqlite3.connect(tmp_path / "data" / "digest.sqlite3")
    with db:  # the keys the older digest gave: FeedBurner's redirect link; an episode's text
        for a in rows:
            if a.source == "Burner":
                i = int((a.url or "").rsplit("/", 1)[1])
                link = f"http://feeds.feedburner.com/~r/b/~3/{i}/"
                old = (legacy_key(None, link) if before_21 else None) or spelt_link_key("Burner", link)
            elif a.source == "Pod":
                old = article_key("Pod", None, None, a.title, a.text)
            else:
                old = spelt_id_key("Shared", guid)
            db.execute("UPDATE articles SET key = ? WHERE key = ?", (old, a.key))
            db.execute("UPDATE stories SET lead_key = ? WHERE lead_key = ?", (old, a.key))
    db.close()
    # the next day the feeds list the same items, and more pages under the shared id
    _write(tmp_path, [1, 0], [1, 0], [0, 1, 2], guid)
    with _app(tmp_path, make_app) as app:
        report = app.run()
        assert _by_source(app) == {"Burner": 2, "Pod": 2, "Shared": 3}
        assert report.new_articles == 2  # the two pages the shared id hid, once
        assert app.run().new_articles == 0


def test_an_older_digest_refuses_the_store_its_keys_no_longer_fit(tmp_path: Path) -> None:
    # a store opened by this digest is at the version of the stop-33 keys: a digest before it
    # (which knows the migrations up to 6) says so in one line, and stores nothing
    path = tmp_path / "d.sqlite3"
    SQLiteStore(path).close()
    older = [m for m in migrations.load("sqlite") if m.version <= 6]
    with pytest.raises(StoreError, match=r"written by a newer digest \(schema version \d+, this one knows up to 6\)"):
        SQLiteStore(path, migrations=older)
    with SQLiteStore(path) as s:
        assert s.get_meta("identity_keys") == "link spelling"  # and the later keys after it

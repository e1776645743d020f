"""A digest view full of hostile titles, links and text (for the renderers and the browser tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digest.records import DigestView, StoryView, VersionView

NOON = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)

HOSTILE_TITLES = [
    "<script>alert('t')</script>Budget passes",
    "<img src=x onerror=\"document.title='pwned'\">Storm warning",
    "[click me](javascript:alert(1)) and ![px](https://tracker.example/p.gif)",
    "</textarea></title><svg onload=alert(1)>",
    "{{ 7 * 7 }} {% raw %} {# c #}",
    "x](javascript:alert(2)) [y",
    "*bold* _under_ `tick` # hash | pipe {: .evil onclick=alert(3) }",
    "W" * 300,
]
HOSTILE_URLS = [
    "javascript:alert(1)",
    " java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "/relative/path",
    None,
    'https://ok.example/a"onmouseover="alert(1)',
    "https://ok.example/x)](javascript:alert(4))",
]


def version(i: int, source: str, *, url: str | None, title: str, text: str = "") -> VersionView:
    """Version ``i`` of a story (published ``i`` minutes after noon)."""
    return VersionView(source, title, url, NOON + timedelta(minutes=i), text)


def hostile_view() -> DigestView:
    stories = []
    for i, (title, url) in enumerate(zip(HOSTILE_TITLES, HOSTILE_URLS, strict=True)):
        lead = version(
            i,
            f"Outlet <b>{i}</b>",
            url=url,
            title=title,
            text=f"Body {i} <script>alert({i})</script> [a](javascript:x) " + "word " * 150,
        )
        also = [
            version(
                i, "Wire & Co", url=HOSTILE_URLS[(i + 1) % 8], title=HOSTILE_TITLES[(i + 3) % 8]
            ),
            version(i, "Plain Post", url=f"https://plain.example/{i}", title=""),
        ]
        stories.append(StoryView(f"s{i}", title, lead, also, first_seen=NOON))
    stories.append(
        StoryView(
            "safe",
            "Council approves budget",
            version(
                9,
                "Example Times",
                url="https://ex.example/budget?a=1&b=2",
                title="Council approves budget",
                text="The council approved the budget on Tuesday. It did so quickly.",
            ),
            [version(9, "Other Post", url="https://other.example/b", title="Budget approved")],
        )
    )
    return DigestView("2024-05-01", stories, articles_read=123, duplicates_collapsed=45,
                      title="My <digest>", generated=NOON)  # fmt: skip

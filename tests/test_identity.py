from digest.identity import article_key, canonical_url


def test_tracking_parameters_fragment_and_case_do_not_change_identity() -> None:
    a = canonical_url("HTTPS://News.Example.com:443/a/b?id=7&utm_source=x&fbclid=1#top")
    assert a == "https://news.example.com/a/b?id=7"
    assert article_key("s", None, "https://news.example.com/a/b?utm_medium=rss&id=7", "", "") == article_key(
        "s", None, "https://news.example.com/a/b?id=7", "other", "text"
    )


def test_entry_id_wins_and_is_scoped_by_source() -> None:
    assert article_key("a", "42", "https://x.example/1", "t", "x") == article_key("a", "42", None, "u", "y")
    assert article_key("a", "42", None, "t", "x") != article_key("b", "42", None, "t", "x")


def test_content_hash_ignores_whitespace_and_case() -> None:
    k1 = article_key("s", None, None, "Title", "Some  body\ntext")
    assert k1 == article_key("s", None, None, "title", "some body text")
    assert k1 != article_key("s", None, None, "title", "other body")
    assert k1.startswith("c") and len(k1) == 21

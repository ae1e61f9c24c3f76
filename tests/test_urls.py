"""Thread keys: every spelling of one article URL lands in the same thread."""

from __future__ import annotations

import pytest

from comments_widget.urls import InvalidUrl, normalize_url, origin_of, safe_redirect_target

KEY = "https://news.example/2023/09/putin-kim"


@pytest.mark.parametrize(
    "spelling",
    [
        "https://news.example/2023/09/putin-kim",
        "HTTPS://News.Example/2023/09/putin-kim",
        "https://news.example:443/2023/09/putin-kim",
        "https://news.example/2023/09/putin-kim/",
        "https://news.example/2023/09/putin-kim#comments",
        "https://news.example/2023/09/putin-kim?utm_source=tw&utm_medium=social",
        "https://news.example/2023/09/putin-kim?fbclid=abc&gclid=def",
        "https://news.example/2023/09/putin-kim?UTM_Campaign=x",
        "  https://news.example/2023/09/putin-kim  ",
        "https://news.example./2023/09/putin-kim",
    ],
)
def test_decorated_spellings_of_an_article_share_one_key(spelling: str) -> None:
    assert normalize_url(spelling) == KEY


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://news.example/story?b=2&a=1", "https://news.example/story?a=1&b=2"),
        ("https://news.example/story?id=7&utm_source=x", "https://news.example/story?id=7"),
        ("http://news.example:80/", "http://news.example/"),
        ("http://news.example", "http://news.example/"),
        ("http://news.example:8080/a/", "http://news.example:8080/a"),
        ("https://bücher.example/a", "https://xn--bcher-kva.example/a"),
        ("http://[::1]:5000/a", "http://[::1]:5000/a"),
    ],
)
def test_normalisation_table(url: str, key: str) -> None:
    assert normalize_url(url) == key


def test_meaningful_query_parameters_keep_articles_apart() -> None:
    assert normalize_url("https://news.example/story?id=1") != normalize_url(
        "https://news.example/story?id=2")


def test_path_case_is_kept_because_servers_may_treat_it_as_meaningful() -> None:
    assert normalize_url("https://news.example/Story") != normalize_url("https://news.example/story")


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "/2023/09/putin-kim", "news.example/story", "ftp://news.example/a",
     "javascript:alert(1)", "https://", "http://news.example:99999/", "https://news.example/"
     + "a" * 2100],
)
def test_values_that_are_not_article_urls_are_refused(bad: str) -> None:
    with pytest.raises(InvalidUrl):
        normalize_url(bad)


def test_origin_of_drops_path_and_default_port() -> None:
    assert origin_of("HTTPS://News.Example:443/a?b#c") == "https://news.example"
    assert origin_of("http://127.0.0.1:5000/x") == "http://127.0.0.1:5000"
    assert origin_of("mailto:a@b.example") is None


ALLOWED = frozenset({"https://news.example"})


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/comments/account", "/comments/account"),
        ("https://news.example/2023/09/putin-kim", "https://news.example/2023/09/putin-kim"),
        ("https://evil.example/phish", None),
        ("//evil.example/phish", None),
        ("/\\evil.example", None),
        ("https:evil.example", None),
        ("javascript:alert(1)", None),
        ("https://news.example.evil.example/", None),
        ("https://news.example@evil.example/", None),
        ("/ok\r\nSet-Cookie: x=1", None),
        ("", None),
        (None, None),
    ],
)
def test_redirects_stay_on_this_server_or_an_allowed_site(target: str | None,
                                                          expected: str | None) -> None:
    assert safe_redirect_target(target, ALLOWED) == expected

"""Properties that must hold for every input, checked on thousands of generated ones:
thread keys are stable and never fail but with InvalidUrl; sanitised HTML is a fixed point and
never carries anything that can run script."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from comments_widget.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    render_comment,
    sanitize_html,
)
from comments_widget.urls import MAX_KEY_BYTES, InvalidUrl, normalize_url, origin_of

SETTINGS = settings(max_examples=400, deadline=None, derandomize=True, database=None)

hosts = st.one_of(
    st.sampled_from(["news.example", "NEWS.Example.", "xn--bcher-kva.example", "bücher.example",
                     "127.0.0.1", "[::1]", "localhost", "a.b.c.example"]),
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9\-]{0,20}\.[a-z]{2,6}", fullmatch=True),
)
query_names = st.one_of(st.sampled_from(["utm_source", "UTM_Campaign", "fbclid", "gclid", "id",
                                         "page", "q", "_ga"]), st.text(max_size=8))
urls = st.builds(
    lambda scheme, host, port, path, query, fragment: (
        f"{scheme}://{host}{port}{path}"
        + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")
        + (f"#{fragment}" if fragment else "")),
    st.sampled_from(["http", "https", "HTTPS", "ftp", "javascript", ""]),
    hosts,
    st.sampled_from(["", ":80", ":443", ":8080", ":0", ":99999", ":x"]),
    st.lists(st.text(max_size=12), max_size=4).map(lambda parts: "/" + "/".join(parts)),
    st.lists(st.tuples(query_names, st.text(max_size=8)), max_size=4),
    st.text(max_size=8),
)
any_url = st.one_of(urls, st.text(max_size=300))


@SETTINGS
@given(any_url)
def test_normalising_never_fails_but_with_invalid_url_and_is_idempotent(url: str) -> None:
    try:
        key = normalize_url(url)
    except InvalidUrl:
        return
    assert normalize_url(key) == key
    parts = urlsplit(key)
    assert parts.scheme in ("http", "https") and not parts.fragment
    assert not any(name.lower().startswith("utm_") or name in ("fbclid", "gclid")
                   for name, _ in parse_qsl(parts.query, keep_blank_values=True))
    assert origin_of(key) == origin_of(url)
    assert len(key.encode("utf-8", "surrogatepass")) <= MAX_KEY_BYTES


@SETTINGS
@given(urls)
def test_decorations_do_not_change_the_key(url: str) -> None:
    try:
        key = normalize_url(url)
    except InvalidUrl:
        return
    decorated = key + ("&" if "?" in key else "?") + "utm_medium=x&fbclid=y#section"
    assert normalize_url(decorated) == key


class _Inspector(HTMLParser):
    """Collects every tag and attribute of a fragment, entities decoded as a browser would."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    handle_startendtag = handle_starttag


def assert_script_free(fragment: str) -> None:
    inspector = _Inspector()
    inspector.feed(fragment)
    inspector.close()
    assert set(inspector.tags) <= ALLOWED_TAGS, inspector.tags
    for tag, name, value in inspector.attributes:
        assert name in ALLOWED_ATTRIBUTES.get(tag, ()), (tag, name)
        if name == "href":
            # What a browser would take as the scheme: control characters and white space go.
            cleaned = "".join(ch for ch in html.unescape(value) if ch > " ").lower()
            scheme = cleaned.split(":", 1)[0] if ":" in cleaned.split("/", 1)[0] else None
            assert scheme is None or scheme in ALLOWED_PROTOCOLS, value


PIECES = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
          "[y](JaVaScRiPt&#58;alert(1))", "<a href='java\tscript:alert(1)'>z</a>", "*em*", "**b**",
          "`code`", "> quote", "- item", "1. one", "<svg onload=alert(1)>", "<style>", "</p>",
          '"><iframe src=//evil.example>', "[ok](https://news.example)", "mailto:a@b.example",
          "<a href=data:text/html;base64,PHNjcmlwdD4=>d</a>", "\n\n", "&lt;b&gt;", "<!--", "-->",
          "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "http://x.example"]
hostile = st.one_of(st.text(max_size=200),
                    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=10)),
                             max_size=12).map("".join))


@SETTINGS
@given(hostile)
def test_rendered_comments_are_script_free_and_a_fixed_point(source: str) -> None:
    rendered = render_comment(source)
    assert_script_free(rendered)
    assert sanitize_html(rendered) == rendered


@SETTINGS
@given(hostile)
def test_sanitising_is_idempotent_and_script_free(fragment: str) -> None:
    once = sanitize_html(fragment)
    assert_script_free(once)
    assert sanitize_html(once) == once

"""Reader text becomes safe HTML: Markdown subset in, allow-listed tags out."""

from __future__ import annotations

import re

import pytest

from comments_widget.sanitize import render_comment, sanitize_html

DANGEROUS = re.compile(r"<\s*(script|iframe|object|embed|svg|math|style|img|form|input)\b"
                       r"|\son\w+\s*=|javascript:|vbscript:|data:text", re.IGNORECASE)


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_markdown_subset_renders_emphasis_code_quotes_and_lists() -> None:
    html = render_comment("*one* **two** `three`\n\n> quoted\n\n- a\n- b\n\n1. c")
    for tag in ("<em>one</em>", "<strong>two</strong>", "<code>three</code>", "<blockquote>",
                "<ul>", "<li>a</li>", "<ol>"):
        assert tag in html


def test_links_get_nofollow_ugc_noopener() -> None:
    html = render_comment("[source](https://news.example/a)")
    assert html == ('<p><a href="https://news.example/a" rel="nofollow ugc noopener">'
                    "source</a></p>")


def test_mailto_links_survive() -> None:
    assert hrefs(render_comment("[mail](mailto:desk@news.example)")) == [
        "mailto:desk@news.example"]


def test_raw_html_is_shown_as_text_not_parsed() -> None:
    html = render_comment("<b>bold?</b> <script>alert(1)</script>")
    assert "<b>" not in html and "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_headings_images_and_rules_are_not_part_of_the_subset() -> None:
    html = render_comment("# Big\n\n---\n\n![pic](https://news.example/x.png)")
    assert "<h1" not in html and "<hr" not in html and "<img" not in html
    assert "# Big" in html


MARKDOWN_ATTACKS = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x61;script:alert(1))",
    "[x](jav&#97;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "[x](https://ok.example \"title\" onmouseover=alert(1))",
]


@pytest.mark.parametrize("source", MARKDOWN_ATTACKS)
def test_markdown_cannot_smuggle_scripts_or_dangerous_links(source: str) -> None:
    html = render_comment(source)
    assert not any(not href.startswith(("http:", "https:", "mailto:")) for href in hrefs(html))
    assert not re.search(r"<a [^>]*href=\"(?!https?:|mailto:)", html)
    tags = re.findall(r"<[a-z]+[^>]*>", html)
    assert all(not re.search(r"\son\w+=", tag) for tag in tags)


HTML_ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=https://evil.example></iframe>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<div><p><em>unclosed <strong>nested",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
]


@pytest.mark.parametrize("html", HTML_ATTACKS)
def test_html_from_elsewhere_is_cleaned_to_the_allow_list(html: str) -> None:
    clean = sanitize_html(html)
    assert not DANGEROUS.search(clean), clean
    assert "style=" not in clean


@pytest.mark.parametrize("source", HTML_ATTACKS)
def test_html_typed_into_a_comment_is_inert_text(source: str) -> None:
    html = render_comment(source)
    assert not re.search(r"<(script|img|iframe|svg|math|style)\b", html)
    assert all(not re.search(r"\son\w+=", tag) for tag in re.findall(r"<[a-z]+[^>]*>", html))


def test_unclosed_markdown_and_tags_produce_balanced_html() -> None:
    html = sanitize_html("<ul><li><em>one<li>two</ul><blockquote>three")
    assert html.count("<em>") == html.count("</em>")
    assert html.count("<blockquote>") == html.count("</blockquote>")


def test_allowed_link_in_html_form_keeps_href_and_gets_rel() -> None:
    assert sanitize_html('<a href="https://ok.example/" target="_blank">x</a>') == (
        '<a href="https://ok.example/" rel="nofollow ugc noopener">x</a>')

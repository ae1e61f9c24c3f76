"""An imported body, whatever it was, becomes our Markdown source and our sanitised HTML.

The HTML comes from the same renderer and sanitiser as a new comment's (sanitize.py): an
export's HTML is hostile input like any other, and turning it into Markdown first means the
stored source is what an edit would show.
"""

from __future__ import annotations

import html
import re

from markdownify import markdownify

from comments_widget.importing.records import storable
from comments_widget.sanitize import render_comment

_BLANK_LINES = re.compile(r"\n\s*\n")
_TAG = re.compile(r"<[a-zA-Z/!]")


def wordpress_paragraphs(text: str) -> str:
    """WordPress keeps comments as typed and adds paragraphs on display (wpautop): a blank
    line ends a paragraph, a single newline is a line break."""
    paragraphs = [p.strip() for p in _BLANK_LINES.split(text.replace("\r\n", "\n")) if p.strip()]
    return "".join(f"<p>{p.replace(chr(10), '<br>' + chr(10))}</p>" for p in paragraphs)


def html_to_markdown(markup: str) -> str:
    """Markdown for an HTML body; text without tags only has its entities decoded."""
    if not _TAG.search(markup):
        return html.unescape(markup)
    # Scripts and styles go with their content; images and frames leave nothing behind.
    return markdownify(markup, heading_style="ATX", bullets="-", strip=["img", "iframe"])


def convert(body: str, body_format: str) -> tuple[str, str]:
    """(Markdown source, HTML) for a body in `body_format`: markdown, html or wordpress."""
    body = storable(body)
    if body_format == "markdown":
        source = body
    elif body_format == "wordpress":
        source = html_to_markdown(wordpress_paragraphs(body))
    else:
        source = html_to_markdown(body)
    source = source.strip()
    return source, render_comment(source)


def convert_many(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`convert` for a batch (what worker processes are given)."""
    return [convert(body, body_format) for body, body_format in items]

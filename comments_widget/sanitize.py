"""Reader text to safe HTML: a small Markdown subset, then bleach against an allow-list.

Rendering happens once, when a comment is written; the embed inserts only this output.
"""

from __future__ import annotations

from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

# Raw HTML off: a reader's "<b>" is shown as text, never parsed. Images, headings and rules are
# off because a comment is not a page; their source stays visible as plain text.
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(
    ["image", "heading", "lheading", "hr", "html_block", "html_inline"]
)


def _set_link_rel(attrs: dict, new: bool = False) -> dict:
    attrs[(None, "rel")] = LINK_REL
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_link_rel], skip_tags={"pre", "code"},
                     parse_email=False)],
)


def render_comment(source: str) -> str:
    """Render Markdown source to the HTML readers will see."""
    return _cleaner.clean(_markdown.render(source)).strip()


def sanitize_html(html: str) -> str:
    """Clean HTML that did not come from our renderer (imports, host bridges)."""
    return _cleaner.clean(html).strip()

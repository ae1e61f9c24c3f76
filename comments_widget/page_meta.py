"""A thread's title and canonical URL, read from the article page itself.

The first commenter's browser used to name the thread, so anyone could title an article
"Official: site hacked, log in at evil.example" for every reader and moderator. Now the server
asks the site: it fetches the page (only on an allowed origin, never following a redirect to
another origin, with a short timeout and a size cap) and reads its <title> and canonical link.
Moderators can correct both in the dashboard.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser

from comments_widget.urls import InvalidUrl, normalize_url, origin_of

logger = logging.getLogger("comments_widget")
FETCH_TIMEOUT_SECONDS = 3
MAX_PAGE_BYTES = 512 * 1024
MAX_TITLE_LENGTH = 300


@dataclass(frozen=True)
class PageMeta:
    """What the page says about itself; empty title when it could not be read."""

    title: str = ""
    canonical_url: str | None = None


class _HeadParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title_parts: list[str] = []
        self.canonical: str | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "link" and "canonical" in (values.get("rel") or "").lower().split():
            self.canonical = self.canonical or values.get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201
        if origin_of(newurl) != origin_of(req.full_url):
            return None  # Answered as the redirect itself: an HTTPError, so no title.
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SameOriginRedirects)


def no_page_meta(_url: str) -> PageMeta:
    """Nothing known about the page (fetching is turned off): the thread shows its URL."""
    return PageMeta()


def clean_title(title: str) -> str:
    """One line of at most MAX_TITLE_LENGTH characters, with no control characters."""
    printable = "".join(char for char in title if char.isprintable() or char.isspace())
    return " ".join(printable.split())[:MAX_TITLE_LENGTH]


def fetch_page_meta(url: str) -> PageMeta:
    """The title and same-origin canonical URL of the page at `url` (an allowed origin's)."""
    request = urllib.request.Request(url, headers={"User-Agent": "comments_widget/1",
                                                   "Accept": "text/html"})
    try:
        with _OPENER.open(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            if "html" not in response.headers.get("Content-Type", ""):
                return PageMeta()
            charset = response.headers.get_content_charset() or "utf-8"
            html = response.read(MAX_PAGE_BYTES).decode(charset, errors="replace")
    except (OSError, ValueError, urllib.error.URLError, LookupError) as error:
        logger.info("Could not read the title of %s: %s", url, error)
        return PageMeta()
    parser = _HeadParser()
    parser.feed(html)
    canonical = None
    if parser.canonical:
        try:
            candidate = normalize_url(urllib.parse.urljoin(url, parser.canonical))
        except InvalidUrl:
            candidate = None
        if candidate and origin_of(candidate) == origin_of(url):
            canonical = candidate
    return PageMeta(title=clean_title("".join(parser.title_parts)), canonical_url=canonical)

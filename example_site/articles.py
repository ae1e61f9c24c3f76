"""The example site's articles, read from plain-text files in content/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONTENT_DIR = Path(__file__).parent / "content"
# Everything from this line on is page chrome that the comments embed replaces.
CHROME_MARKER = "Share This Post On"
EDITOR_PREFIX = "Edited by:"


@dataclass(frozen=True)
class Article:
    slug: str
    path: str
    headline: str
    paragraphs: tuple[str, ...]
    editor: str


# (url path, file) pairs: the URL layout of a typical news site.
ARTICLE_FILES = (
    ("/2023/09/putin-kim", "putin-kim.txt"),
    ("/2023/09/harbour-bridge-repairs", "harbour-bridge-repairs.txt"),
    ("/2023/09/library-late-opening", "library-late-opening.txt"),
)


def parse_article(slug: str, path: str, text: str) -> Article:
    """Split a text file into headline, paragraphs and editor line, dropping the chrome."""
    lines = text.split("\n")
    headline = lines[1].strip()
    paragraphs: list[str] = []
    editor = ""
    for line in lines[2:]:
        line = line.strip()
        if line == CHROME_MARKER:
            break
        if line.startswith(EDITOR_PREFIX):
            editor = line
        elif line:
            paragraphs.append(line)
    return Article(slug=slug, path=path, headline=headline, paragraphs=tuple(paragraphs),
                   editor=editor)


def load_articles() -> list[Article]:
    """Every article, in front-page order."""
    return [
        parse_article(Path(name).stem, path, (CONTENT_DIR / name).read_text(encoding="utf-8"))
        for path, name in ARTICLE_FILES
    ]


SECTIONS = ("Blog", "Business", "Entertainment", "Environment", "Health", "Lifestyle", "News",
            "Analysis", "Opinion", "Science", "Sports", "Technology", "World News")

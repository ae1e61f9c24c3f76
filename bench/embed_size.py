"""Print the gzipped size of everything the embed loads into an article page.

    .venv/bin/python bench/embed_size.py            # our embed, as served (minified)
    .venv/bin/python bench/embed_size.py other.js   # compare with any other script

The budget counts what readers download: static/embed.js minified the way the server serves it
(comments_widget/views/embed.py); the readable file's size is printed beside it.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

from comments_widget.views.embed import minify as minify_js

ROOT = Path(__file__).resolve().parent.parent
# The embed is one file: its CSS and strings live inside it, and the article page loads
# nothing else from us until the reader opens the login popup.
EMBED_FILES = [ROOT / "static" / "embed.js"]
BUDGET_BYTES = 10 * 1024  # DESIGN.md: one request of at most 10 KB gzipped
# Each other language is one more cacheable request, made only by pages in that language.
LANGUAGE_FILES = sorted((ROOT / "static" / "lang").glob("*.json"))
LANGUAGE_BUDGET_BYTES = 2 * 1024


def gzipped_size(path: Path, minify: bool = False) -> tuple[int, int]:
    """(raw bytes, gzip -9 bytes) of a file, or of the minified script the server sends."""
    data = minify_js(path.read_text(encoding="utf-8")).encode() if minify else path.read_bytes()
    return len(data), len(gzip.compress(data, compresslevel=9, mtime=0))


def main(paths: list[str]) -> int:
    files = [Path(p) for p in paths] or EMBED_FILES
    total_raw = total_gz = 0
    for path in files:
        if not paths:
            raw, gz = gzipped_size(path)
            print(f"{path.name + ' (source)':<20} {raw:>8,} bytes  {gz:>7,} bytes gzipped")
        raw, gz = gzipped_size(path, minify=not paths)
        total_raw, total_gz = total_raw + raw, total_gz + gz
        print(f"{path.name + (' (served)' if not paths else ''):<20} {raw:>8,} bytes"
              f"  {gz:>7,} bytes gzipped")
    print(f"{'total':<20} {total_raw:>8,} bytes  {total_gz:>7,} bytes gzipped"
          f"  (budget {BUDGET_BYTES:,}: {'within' if total_gz <= BUDGET_BYTES else 'OVER'})")
    if paths:
        return 0
    over = total_gz > BUDGET_BYTES
    for path in LANGUAGE_FILES:
        raw, gz = gzipped_size(path)
        fits = gz <= LANGUAGE_BUDGET_BYTES
        over = over or not fits
        print(f"lang/{path.name:<15} {raw:>8,} bytes  {gz:>7,} bytes gzipped"
              f"  (budget {LANGUAGE_BUDGET_BYTES:,}: {'within' if fits else 'OVER'})")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Print the gzipped size of everything the embed loads into an article page.

    .venv/bin/python bench/embed_size.py            # our embed
    .venv/bin/python bench/embed_size.py other.js   # compare with any other script
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The embed is one file: its CSS and strings live inside it, and the article page loads
# nothing else from us until the reader opens the login popup.
EMBED_FILES = [ROOT / "static" / "embed.js"]
BUDGET_BYTES = 10 * 1024  # DESIGN.md: one request of at most 10 KB gzipped


def gzipped_size(path: Path) -> tuple[int, int]:
    """(raw bytes, gzip -9 bytes) of a file."""
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, compresslevel=9, mtime=0))


def main(paths: list[str]) -> int:
    files = [Path(p) for p in paths] or EMBED_FILES
    total_raw = total_gz = 0
    for path in files:
        raw, gz = gzipped_size(path)
        total_raw, total_gz = total_raw + raw, total_gz + gz
        print(f"{path.name:<20} {raw:>8,} bytes  {gz:>7,} bytes gzipped")
    print(f"{'total':<20} {total_raw:>8,} bytes  {total_gz:>7,} bytes gzipped"
          f"  (budget {BUDGET_BYTES:,}: {'within' if total_gz <= BUDGET_BYTES else 'OVER'})")
    return 0 if paths or total_gz <= BUDGET_BYTES else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Avatars drawn by us: a symmetric 5×5 pattern and a colour, both from the reader's id.

No request leaves for Gravatar or anyone else; the same id always gives the same picture, so
the image is cacheable forever.
"""

from __future__ import annotations

import hashlib

GRID = 5


def identicon_svg(reader_id: int) -> str:
    """The SVG avatar of one reader: 15 bits pick the cells (mirrored left to right), the
    next bytes the hue."""
    digest = hashlib.sha256(f"comments_widget identicon {reader_id}".encode()).digest()
    bits = int.from_bytes(digest[:4], "big")
    hue = int.from_bytes(digest[4:6], "big") % 360
    cells = []
    half = (GRID + 1) // 2
    for column in range(half):
        for row in range(GRID):
            if bits >> (column * GRID + row) & 1:
                cells.append((column, row))
                if column != GRID - 1 - column:
                    cells.append((GRID - 1 - column, row))
    path = "".join(f"M{x} {y}h1v1h-1z" for x, y in sorted(cells))
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="-0.5 -0.5 6 6" width="36" '
            'height="36" shape-rendering="crispEdges">'
            '<rect x="-0.5" y="-0.5" width="6" height="6" fill="#eef0f3"/>'
            f'<path fill="hsl({hue},60%,38%)" d="{path}"/></svg>')

"""What an id may be: a positive 32-bit integer, the range of every id column we have.

One definition for paths, JSON fields and query parameters, so that 2**31 (too large for
PostgreSQL's integer), 2**63 (too large for SQLite) and "²" (a digit to `str.isdigit`) are
refused as bad input everywhere instead of failing in the database driver.
"""

from __future__ import annotations

import re

from werkzeug.routing import BaseConverter

ID_CONVERTER = "cw_id"
MAX_ID = 2**31 - 1


def _at_most(limit: int) -> str:
    """A regex for the decimal numbers 1..limit, no leading zeros, so that routing itself
    refuses a larger one (a converter's ValidationError would end matching with a bare 404)."""
    digits = str(limit)
    options = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"]
    for i, digit in enumerate(map(int, digits)):
        low = 1 if i == 0 else 0
        if digit > low:
            options.append(f"{digits[:i]}[{low}-{digit - 1}][0-9]{{{len(digits) - i - 1}}}")
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


ID_PATTERN = _at_most(MAX_ID)
_ID = re.compile(ID_PATTERN)


def parse_id(value: object) -> int | None:
    """The id that `value` (text or a JSON number) names, or None if it is not a valid id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _ID.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


class BoundedId(BaseConverter):
    """`<cw_id:name>` in a route: a valid id, or the route does not match (a 404)."""

    regex = ID_PATTERN
    weight = 50

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)

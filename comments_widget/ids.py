"""What an id may be: a positive 32-bit integer, the range of every id column we have.

One definition for paths, JSON fields and query parameters, so that 2**31 (too large for
PostgreSQL's integer), 2**63 (too large for SQLite) and "²" (a digit to `str.isdigit`) are
refused as bad input everywhere instead of failing in the database driver.
"""

from __future__ import annotations

import re

from werkzeug.routing import BaseConverter, ValidationError

ID_CONVERTER = "cw_id"
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_id(value: object) -> int | None:
    """The id that `value` (text or a JSON number) names, or None if it is not a valid id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


class BoundedId(BaseConverter):
    """`<cw_id:name>` in a route: a valid id, or the route does not match (a 404)."""

    regex = r"[0-9]{1,10}"
    weight = 50

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: int) -> str:
        return str(value)

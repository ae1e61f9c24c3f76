"""One page of a long list, newest first, and whether there is another after it.

Every dashboard list pages the same way: rows with an id below the last one shown, fetching
one row more than the page holds, so a full last page does not offer an empty "next" page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    """The rows of one page; `next_before` continues the list (None on the last page)."""

    rows: list[Row]
    next_before: int | None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def keyset_page(session: Session, query: sa.Select, id_column: sa.ColumnElement[int],
                before_id: int | None, limit: int,
                make: Callable[[sa.Row], Row], *, scalars: bool = False) -> Page[Row]:
    """Run `query` (ordered by `id_column` descending) for one page below `before_id`."""
    if before_id is not None:
        query = query.where(id_column < before_id)
    query = query.limit(limit + 1)
    result: Sequence = (list(session.scalars(query).unique()) if scalars
                        else list(session.execute(query)))
    rows = [make(row) for row in result[:limit]]
    more = len(result) > limit
    return Page(rows, _id_of(result[limit - 1], id_column) if more and limit else None)


def _id_of(row: object, id_column: sa.ColumnElement[int]) -> int:
    name = id_column.key
    if hasattr(row, name):
        return int(getattr(row, name))
    first = row[0]  # type: ignore[index]
    return int(getattr(first, name))


def has_next_page(rows: list[Row], limit: int) -> tuple[list[Row], bool]:
    """For offset-paged lists queried with `limit + 1`: the page's rows and whether more follow."""
    return rows[:limit], len(rows) > limit

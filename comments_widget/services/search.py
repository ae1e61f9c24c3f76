"""Finding comments by their words, with the database's full-text index.

PostgreSQL: a GIN index on to_tsvector('simple', body_source) (the 'simple' configuration:
no stemming, no stop words, so every language is found as typed). SQLite: an FTS5 table
kept in step with the comments by triggers (migration 0016). Each word the moderator types
must appear, as a word or the start of one ("viag" finds "viagra"); punctuation is ignored,
so nothing typed can break the query's syntax.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from comments_widget.models import Comment

MAX_TERMS = 8
_WORD = re.compile(r"\w+", re.UNICODE)


def terms(text: str) -> list[str]:
    """The words of a search, at most MAX_TERMS of them."""
    return _WORD.findall(text.lower())[:MAX_TERMS]


def matching(dialect: str, words: list[str]) -> sa.ColumnElement[bool]:
    """A condition on Comment true when its text holds every word (as a prefix)."""
    if not words:
        return sa.false()
    if dialect == "postgresql":
        # The literal configuration, exactly as in the index, so the planner uses it.
        vector = sa.func.to_tsvector(sa.literal_column("'simple'"), Comment.body_source)
        query = sa.func.to_tsquery(sa.literal_column("'simple'"),
                                   " & ".join(f"{word}:*" for word in words))
        return vector.bool_op("@@")(query)
    if dialect == "sqlite":
        match = " ".join('"' + word.replace('"', '""') + '"*' for word in words)
        found = sa.select(sa.column("rowid")).select_from(sa.table("comments_widget_search")) \
            .where(sa.text("comments_widget_search MATCH :search_match")
                   .bindparams(search_match=match))
        return Comment.id.in_(found.scalar_subquery())
    pattern = "%" + "%".join(words) + "%"
    return Comment.body_source.ilike(pattern)

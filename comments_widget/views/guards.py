"""Checks every request to the blueprint passes before any view runs.

They answer classes of bad input once, for every route present and future: a body larger than
any route accepts (enforced on the stream, so chunked uploads cannot grow a worker's memory),
and text that no database column can store (NUL bytes, which PostgreSQL refuses, and lone
surrogates, which no UTF-8 encoder accepts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import request
from werkzeug.exceptions import BadRequest

MAX_REQUEST_BYTES = 256 * 1024
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnstorableText(BadRequest):
    """Text with a NUL byte or a lone surrogate: refused before it reaches the database."""

    api_code = "invalid_text"
    description = ("The request contains a character that cannot be stored (a NUL byte or an "
                   "unpaired surrogate). Remove it and try again.")


def has_unstorable_text(values: Iterable[object]) -> bool:
    """True if any string inside `values` (nested lists and dicts included) cannot be stored."""
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def limit_request_size() -> None:
    """Cap every body at MAX_REQUEST_BYTES while it is read (werkzeug answers 413 past it)."""
    request.max_content_length = MAX_REQUEST_BYTES
    request.max_form_memory_size = MAX_REQUEST_BYTES


def refuse_unstorable_text() -> None:
    """400 for a path, query parameter or form field that holds unstorable text."""
    texts: list[object] = [request.path]
    for name, value in request.args.items(multi=True):
        texts += [name, value]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):
            texts += [name, value]
    if has_unstorable_text(texts):
        raise UnstorableText()

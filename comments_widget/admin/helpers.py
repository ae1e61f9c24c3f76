"""Small pieces every dashboard page uses."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import flash, redirect, request, url_for
from markupsafe import Markup, escape
from werkzeug.wrappers import Response as BaseResponse

from comments_widget.errors import WidgetError
from comments_widget.ids import parse_id
from comments_widget.models import utcnow
from comments_widget.state import db_session
from comments_widget.urls import safe_redirect_target


def back(default_endpoint: str, **values: object) -> BaseResponse:
    """Redirect to the page the form came from (only our own paths), else to a default."""
    target = safe_redirect_target(request.form.get("next"), frozenset())
    return redirect(target or url_for(default_endpoint, **values))


def attempt(change: Callable[[], str], default_endpoint: str,
            after_commit: Callable[[], None] | None = None, **values: object) -> BaseResponse:
    """Run a change, commit it and flash its message; flash the refusal instead if it fails."""
    session = db_session()
    try:
        message = change()
    except WidgetError as error:
        session.rollback()
        flash(error.message, "error")
    else:
        session.commit()
        if after_commit is not None:
            after_commit()
        flash(message, "success")
    return back(default_endpoint, **values)


def int_arg(name: str) -> int | None:
    """An id or page-number query parameter, or None when absent, malformed or out of range."""
    return parse_id(request.args.get(name, ""))


def highlight(html: str, words: tuple[str, ...]) -> Markup:
    """Mark banned words in sanitised HTML, touching only text between tags."""
    if not words:
        return Markup(html)
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(str(escape(w)))}(?!\w)" for w in words),
                         re.IGNORECASE)
    parts = re.split(r"(<[^>]*>)", html)
    marked = [part if part.startswith("<") else
              pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", part) for part in parts]
    return Markup("".join(marked))


def age(when: datetime, now: datetime | None = None) -> str:
    """How long ago, in the largest whole unit: "40 minutes", "3 days", "2 years"."""
    seconds = max(0, int(((now or utcnow()) - when).total_seconds()))
    for unit, size in (("year", 365 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "just now"


def duration(span: timedelta | None) -> str:
    """A length of time in its largest whole unit ("—" for none)."""
    if span is None:
        return "—"
    now = utcnow()
    return age(now - span, now)


def template_helpers() -> dict[str, object]:
    """Helpers every dashboard template may call."""
    return {"age": age, "duration": duration}

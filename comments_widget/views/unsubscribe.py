"""One-click unsubscribe from reply and follow emails (RFC 8058).

The link in an email opens a page with one button, so that a mail scanner following links does
not unsubscribe anyone; mail clients that offer "Unsubscribe" POST to the same address
(`List-Unsubscribe-Post: List-Unsubscribe=One-Click`). The signed token is the authority: no
login and no CSRF token is needed, and it never expires.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from comments_widget.models import Reader
from comments_widget.services.announce import (
    followed_thread,
    read_unsubscribe_token,
    unsubscribe,
)
from comments_widget.state import db_session


def unsubscribe_page(token: str) -> tuple[str, int] | str:
    """GET: say what the link stops and offer the button; POST: stop it."""
    found = read_unsubscribe_token(current_app.secret_key, token)
    session = db_session()
    reader = session.get(Reader, found[0]) if found else None
    if found is None or reader is None:
        return render_template("comments_widget/unsubscribe.html", invalid=True), 404
    what = found[1]
    thread = followed_thread(session, what)
    title = (thread.title or thread.url) if thread else ""
    if request.method == "POST":
        unsubscribe(session, reader, what)
        session.commit()
    return render_template("comments_widget/unsubscribe.html", what=what, title=title,
                           done=request.method == "POST")


def register(pages: Blueprint) -> None:
    """Add the unsubscribe page to the reader pages blueprint."""
    pages.add_url_rule("/unsubscribe/<token>", "unsubscribe", unsubscribe_page,
                       methods=["GET", "POST"])

"""Atom feeds of approved comments: one per thread (`/comments/feed.atom?url=…`) and one per
site (`/comments/feed.atom?site=https://news.example`), the newest 50, public and cacheable."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, Response, request

from comments_widget.errors import WidgetError
from comments_widget.models import Comment, Reader, Status, Thread
from comments_widget.services import reading
from comments_widget.state import allowed_origins, current_state, db_session
from comments_widget.urls import origin_of
from comments_widget.views.http import thread_ref

ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 50
NO_COMMENTS_YET = datetime.fromisoformat("2000-01-01T00:00:00+00:00")  # <updated> of an empty feed

ET.register_namespace("", ATOM)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _feed(title: str, self_url: str, alternate: str, rows: list[sa.Row],
          fallback_updated: datetime) -> bytes:
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", self_url)
    _add(feed, "title", title)
    _add(feed, "link", rel="self", href=self_url)
    _add(feed, "link", rel="alternate", href=alternate)
    newest = max((row.edited_at or row.created_at for row in rows), default=fallback_updated)
    _add(feed, "updated", _stamp(newest))
    _add(feed, "generator", "comments_widget")
    for row in rows:
        entry = _add(feed, "entry")
        where = f"{row.url}#comment-{row.id}"
        _add(entry, "id", where)
        _add(entry, "title", f"{row.display_name} on “{row.title or row.url}”")
        _add(entry, "link", rel="alternate", href=where)
        _add(entry, "published", _stamp(row.created_at))
        _add(entry, "updated", _stamp(row.edited_at or row.created_at))
        author = _add(entry, "author")
        _add(author, "name", row.display_name)
        # Sanitised when it was written; escaped here as Atom's html content requires.
        _add(entry, "content", row.body_html, type="html")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")


_ROWS = (sa.select(Comment.id, Comment.body_html, Comment.created_at, Comment.edited_at,
                   Reader.display_name, Thread.url, Thread.title)
         .join(Reader, Reader.id == Comment.author_id)
         .join(Thread, Thread.id == Comment.thread_id)
         .where(Comment.status == Status.APPROVED, Comment.hidden_by_flags.is_(False))
         .order_by(Comment.id.desc()).limit(ENTRIES))


def _error(error: WidgetError) -> Response:
    status = 403 if error.code == "origin_not_allowed" else 400
    return Response(error.message + "\n", status=status, mimetype="text/plain")


def atom_feed() -> Response:
    """The newest approved comments of one article (`url`) or of one site (`site`)."""
    session = db_session()
    self_url = request.url
    try:
        if request.args.get("site"):
            site = origin_of(request.args["site"])
            if site is None or site not in allowed_origins():
                raise WidgetError(f"Comments are not enabled for {request.args['site']}.",
                                  code="origin_not_allowed")
            rows = list(session.execute(_ROWS.where(Thread.url.startswith(site + "/"))))
            body = _feed(f"Comments on {site}", self_url, site, rows, NO_COMMENTS_YET)
        else:
            ref = thread_ref(request.args.get("url"), request.args.get("thread_id"))
            thread = reading.thread_summary(session, ref.key)
            rows = list(session.execute(_ROWS.where(Comment.thread_id == thread.id))) \
                if thread else []
            title = f"Comments on “{thread.title or thread.url}”" if thread else "Comments"
            body = _feed(title, self_url, ref.url, rows,
                         thread.created_at if thread else NO_COMMENTS_YET)
    except WidgetError as error:
        return _error(error)
    response = Response(body, mimetype="application/atom+xml")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    max_age = current_state().thread_max_age * 6
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


def register(blueprint: Blueprint) -> None:
    """Add the feeds to the widget blueprint."""
    blueprint.add_url_rule("/feed.atom", "atom_feed", atom_feed)

"""The thread as HTML, for readers without JavaScript and for search engines.

`/comments/thread?url=…` answers the approved comments of one page of a thread with schema.org
`Comment` microdata, cacheable like the JSON payload (a strong ETag from the thread's version).
Flask hosts include it in the article with the `comments_thread(url)` template helper; other
hosts fetch it when they render the page. The embed takes over the element it sits in: its
shadow root hides the server's markup, so the thread is never drawn twice.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from markupsafe import Markup

from comments_widget.errors import WidgetError
from comments_widget.ids import parse_id
from comments_widget.models import utcnow
from comments_widget.services import reading
from comments_widget.services.policy import thread_is_closed
from comments_widget.state import current_policy, current_state, db_session
from comments_widget.views.http import thread_ref
from comments_widget.views.payloads import comment_tree

HTML_FORMAT = 1  # Bump when the markup changes, so no cached copy outlives it.


def _render(url: str, thread_id: str | None, after: int | None) -> tuple[str, str]:
    """The thread's HTML and its ETag."""
    ref = thread_ref(url, thread_id)
    session = db_session()
    thread = reading.thread_summary(session, ref.key)
    if thread is None:
        return render_template("comments_widget/thread.html", thread=None, comments=[],
                               next_after=None, url=ref.url), f"html{HTML_FORMAT}-none"
    page = reading.thread_page(session, thread, after, current_state().thread_page_size)
    closed = thread_is_closed(thread, current_policy(), utcnow())
    html = render_template(
        "comments_widget/thread.html", thread=thread, closed=closed, url=ref.url,
        comments=comment_tree(page.comments, thread.pinned_comment_id),
        next_after=page.next_after)
    return html, f"html{HTML_FORMAT}-{thread.id}-{thread.version}-{int(closed)}-{after or 0}"


def comments_thread(url: str, thread_id: str | None = None) -> Markup:
    """Template helper for Flask hosts: `{{ comments_thread(article_url) }}` inside the element
    the embed draws into. Empty (and logged) when the thread cannot be read."""
    try:
        return Markup(_render(url, thread_id, None)[0])
    except WidgetError as error:
        current_app.logger.warning("comments_widget: no server-rendered thread for %s: %s",
                                   url, error.message)
        return Markup("")


def thread_html() -> Response:
    """GET /thread?url=…[&thread_id=…][&after=…]: one page of approved comments as HTML."""
    after_arg = request.args.get("after")
    after = parse_id(after_arg) if after_arg else None
    try:
        if after_arg and after is None:
            raise WidgetError("`after` must be a comment id.", code="invalid_cursor")
        html, etag = _render(request.args.get("url"), request.args.get("thread_id"), after)
    except WidgetError as error:
        status = 403 if error.code == "origin_not_allowed" else 400
        return Response(f"<p>{Markup.escape(error.message)}</p>", status=status,
                        mimetype="text/html")
    response = Response(html, mimetype="text/html")
    response.set_etag(etag)
    max_age = current_state().thread_max_age
    response.headers["Cache-Control"] = (
        f"public, max-age={max_age}, stale-while-revalidate={max_age * 6}")
    response.headers["Access-Control-Allow-Origin"] = "*"  # public, like the JSON payload
    return response.make_conditional(request)


def register(blueprint: Blueprint) -> None:
    """Add the HTML thread to the widget blueprint."""
    blueprint.add_url_rule("/thread", "thread_html", thread_html)

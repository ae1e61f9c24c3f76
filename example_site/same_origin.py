"""The same news site with comments_widget mounted in-process: the three lines a Flask host adds.

    COMMENTS_WIDGET_ALLOWED_ORIGINS=http://127.0.0.1:5000 flask --app example_site.same_origin run
"""

from __future__ import annotations

import os
import secrets

from flask import Flask

from comments_widget import CommentsWidget
from example_site.app import create_news_app


def create_app(config: dict[str, object] | None = None) -> Flask:
    """The news site serving its own comments under /comments."""
    app = create_news_app(comments_server=None)
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
    app.config["COMMENTS_WIDGET_ALLOWED_ORIGINS"] = os.environ.get(
        "COMMENTS_WIDGET_ALLOWED_ORIGINS", "http://127.0.0.1:5000")
    # This small example sends no email; a real host sets COMMENTS_WIDGET_SMTP_HOST and keeps
    # the default, "before_posting".
    app.config["COMMENTS_WIDGET_EMAIL_VERIFICATION"] = os.environ.get(
        "COMMENTS_WIDGET_EMAIL_VERIFICATION", "off")
    app.config.update(config or {})
    CommentsWidget(app)
    return app

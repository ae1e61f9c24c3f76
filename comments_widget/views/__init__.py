"""The blueprint: the embed script, the JSON API and the reader pages under one prefix."""

from __future__ import annotations

from flask import Blueprint

from comments_widget import admin
from comments_widget.resources import STATIC_DIR, TEMPLATES_DIR
from comments_widget.views import (
    account,
    api,
    embed,
    feeds,
    guards,
    login_links,
    my_data,
    outages,
    pages,
    popup,
    recovery,
    server_rendered,
    sign_in_with,
    unsubscribe,
    verify,
)


def create_blueprint() -> Blueprint:
    """A fresh blueprint for one app; register it under COMMENTS_WIDGET_URL_PREFIX."""
    blueprint = Blueprint(
        "comments_widget", __name__,
        static_folder=str(STATIC_DIR), static_url_path="/static",
        template_folder=str(TEMPLATES_DIR),
    )
    blueprint.before_request(guards.limit_request_size)
    blueprint.before_request(guards.refuse_unstorable_text)
    blueprint.context_processor(pages.reader_in_templates)
    blueprint.context_processor(popup.page_context)
    for error in outages.UNAVAILABLE_ERRORS:
        blueprint.register_error_handler(error, outages.page_unavailable)
    embed.register(blueprint)
    server_rendered.register(blueprint)
    feeds.register(blueprint)
    blueprint.register_blueprint(api.create_blueprint())
    reader_pages = pages.create_blueprint()
    recovery.register(reader_pages)
    verify.register(reader_pages)
    unsubscribe.register(reader_pages)
    account.register(reader_pages)
    my_data.register(reader_pages)
    login_links.register(reader_pages)
    sign_in_with.register(reader_pages)
    blueprint.register_blueprint(reader_pages)
    blueprint.register_blueprint(admin.create_blueprint())
    return blueprint

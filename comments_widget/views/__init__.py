"""The blueprint: the embed script, the JSON API and the reader pages under one prefix."""

from __future__ import annotations

from flask import Blueprint

from comments_widget import admin
from comments_widget.resources import STATIC_DIR, TEMPLATES_DIR
from comments_widget.views import api, embed, pages


def create_blueprint() -> Blueprint:
    """A fresh blueprint for one app; register it under COMMENTS_WIDGET_URL_PREFIX."""
    blueprint = Blueprint(
        "comments_widget", __name__,
        static_folder=str(STATIC_DIR), static_url_path="/static",
        template_folder=str(TEMPLATES_DIR),
    )
    embed.register(blueprint)
    blueprint.register_blueprint(api.create_blueprint())
    blueprint.register_blueprint(pages.create_blueprint())
    blueprint.register_blueprint(admin.create_blueprint())
    return blueprint

"""The embed script, served at a fixed path so site owners can paste one tag."""

from __future__ import annotations

from flask import Blueprint, Response, send_from_directory

from comments_widget.resources import STATIC_DIR

EMBED_MAX_AGE_SECONDS = 300


def embed_js() -> Response:
    """The script a site owner pastes; short-cached so fixes reach readers within minutes."""
    response = send_from_directory(STATIC_DIR, "embed.js", mimetype="text/javascript",
                                   max_age=EMBED_MAX_AGE_SECONDS)
    response.cache_control.public = True
    return response


def register(blueprint: Blueprint) -> None:
    """Add the embed route to the widget blueprint."""
    blueprint.add_url_rule("/embed.js", "embed_js", embed_js)

"""The embed script, served at a fixed path so site owners can paste one tag."""

from __future__ import annotations

from flask import Blueprint, Response, abort, send_from_directory

from comments_widget.resources import STATIC_DIR

EMBED_MAX_AGE_SECONDS = 300


def embed_js() -> Response:
    """The script a site owner pastes; short-cached so fixes reach readers within minutes."""
    response = send_from_directory(STATIC_DIR, "embed.js", mimetype="text/javascript",
                                   max_age=EMBED_MAX_AGE_SECONDS)
    response.cache_control.public = True
    return response


def embed_strings(language: str) -> Response:
    """The embed's words in one language other than English (one cacheable request, made only
    by pages in that language). Public data: any page may read it."""
    if not language.isascii() or not language.isalpha() or len(language) > 8:
        abort(404)
    response = send_from_directory(STATIC_DIR / "lang", f"{language}.json",
                                   mimetype="application/json", max_age=EMBED_MAX_AGE_SECONDS)
    response.cache_control.public = True
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def register(blueprint: Blueprint) -> None:
    """Add the embed routes to the widget blueprint."""
    blueprint.add_url_rule("/embed.js", "embed_js", embed_js)
    blueprint.add_url_rule("/lang/<language>.json", "embed_strings", embed_strings)

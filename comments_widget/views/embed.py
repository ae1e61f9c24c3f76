"""The embed script, served at a fixed path so site owners can paste one tag.

static/embed.js stays the one readable file we edit and review; readers get it minified
(calmjs.parse: comments and whitespace out, local names shortened), done once per process at
the first request, so there is no build step. That is what keeps the embed inside its 10 KB
budget. `/embed.src.js` serves the readable file for debugging.
"""

from __future__ import annotations

import functools
import hashlib

from calmjs.parse import es5
from calmjs.parse.unparsers.es5 import minify_print
from flask import Blueprint, Response, abort, request, send_from_directory

from comments_widget.identicon import identicon_svg
from comments_widget.resources import STATIC_DIR

EMBED_MAX_AGE_SECONDS = 300
FOREVER_SECONDS = 365 * 24 * 3600
EMBED_SOURCE = STATIC_DIR / "embed.js"


def minify(source: str) -> str:
    """The script without comments and indentation, its local names shortened (the globals it
    shares with the page, like CommentsWidget, keep theirs)."""
    return minify_print(es5(source), obfuscate=True, obfuscate_globals=False)


@functools.lru_cache(maxsize=2)
def _minified(modified_ns: int) -> tuple[bytes, str]:
    """The minified embed and its ETag, made again whenever the source file changes."""
    code = minify(EMBED_SOURCE.read_text(encoding="utf-8")).encode()
    return code, hashlib.sha256(code).hexdigest()[:32]


def minified_embed() -> bytes:
    """What readers download: the embed without comments and indentation."""
    return _minified(EMBED_SOURCE.stat().st_mtime_ns)[0]


def _public(response: Response) -> Response:
    response.cache_control.max_age = EMBED_MAX_AGE_SECONDS
    response.cache_control.public = True
    return response


def embed_js() -> Response:
    """The script a site owner pastes; short-cached so fixes reach readers within minutes."""
    code, etag = _minified(EMBED_SOURCE.stat().st_mtime_ns)
    response = Response(code, mimetype="text/javascript")
    response.set_etag(etag)
    return _public(response.make_conditional(request))


def embed_source() -> Response:
    """The readable embed, as written, for a developer's debugger."""
    return _public(send_from_directory(STATIC_DIR, "embed.js", mimetype="text/javascript"))


def embed_strings(language: str) -> Response:
    """The embed's words in one language other than English (one cacheable request, made only
    by pages in that language). Public data: any page may read it."""
    if not language.isascii() or not language.isalpha() or len(language) > 8:
        abort(404)
    response = send_from_directory(STATIC_DIR / "lang", f"{language}.json",
                                   mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return _public(response)


def avatar(reader_id: int) -> Response:
    """A reader's identicon: the same id always draws the same picture, so caches keep it."""
    response = Response(identicon_svg(reader_id), mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = FOREVER_SECONDS
    response.cache_control.immutable = True
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def register(blueprint: Blueprint) -> None:
    """Add the embed routes to the widget blueprint."""
    blueprint.add_url_rule("/embed.js", "embed_js", embed_js)
    blueprint.add_url_rule("/embed.src.js", "embed_source", embed_source)
    blueprint.add_url_rule("/lang/<language>.json", "embed_strings", embed_strings)
    blueprint.add_url_rule("/avatars/<cw_id:reader_id>.svg", "avatar", avatar)

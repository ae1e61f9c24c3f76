"""The OpenAPI description of API v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for

from comments_widget.ids import MAX_ID

_ERROR = {"$ref": "#/components/schemas/Error"}
_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def _answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if schema is not None:
        answer["content"] = {"application/json": {"schema": schema}}
    return answer


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(status): _answer("Refused; see docs/api.md for the codes", _ERROR)
            for status in statuses}


def _query(name: str, description: str, required: bool = True, many: bool = False) -> dict:
    schema: dict[str, Any] = {"type": "string"}
    if many:
        schema = {"type": "array", "items": schema, "maxItems": 100}
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema, "explode": True}


def _json_body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "properties": properties, "required": required}}}}


def _spec(base: str) -> dict[str, Any]:
    comment = {"$ref": "#/components/schemas/Comment"}
    reader = {"$ref": "#/components/schemas/Reader"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "comments_widget", "version": "1"},
        "servers": [{"url": base}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "message"],
                          "properties": {"error": {"type": "string"},
                                         "message": {"type": "string"}}},
                "Reader": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"},
                    "role": {"enum": ["reader", "moderator", "admin"]},
                    "external": {"type": "boolean",
                                 "description": "signs in through the site, not with us"}}},
                "Comment": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "parent_id": {"type": ["integer", "null"]},
                    "author": {"type": "object", "properties": {
                        "id": {"type": ["integer", "null"]}, "name": {"type": ["string", "null"]},
                        "avatar": {"type": ["string", "null"],
                                   "description": "the site's picture (SSO), or null: "
                                                  "/comments/avatars/{id}.svg"}}},
                    "up": {"type": "integer"}, "down": {"type": "integer"},
                    "html": {"type": "string", "description": "sanitised at write time"},
                    "status": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "moderated": {"type": "boolean",
                                  "description": "a moderator changed the text"},
                    "replies": {"type": "array", "items": {"$ref": "#/components/schemas/Comment"}},
                }},
            },
        },
        "paths": {
            "/threads": {"get": {
                "summary": "A thread's public payload",
                "parameters": [_query("url", "the article URL"),
                               _query("thread_id", "explicit thread identifier", False),
                               _query("after", "`next` of the previous page", False),
                               _query("limit", "top-level comments per page", False),
                               {"name": "sort", "in": "query", "required": False,
                                "description": "order of top-level comments (the pinned one "
                                               "leads whatever the order)",
                                "schema": {"enum": ["oldest", "newest", "best"]}}],
                "responses": {"200": _answer("The thread, or null before its first comment; "
                                             "cacheable, with a strong ETag"),
                              "304": _answer("Not modified since the ETag sent"),
                              **_errors(400, 403)}}},
            "/threads/page-of": {"get": {
                "summary": "Which page of a thread shows a comment (for links to it)",
                "parameters": [_query("url", "the article URL"),
                               _query("comment", "the comment's id"),
                               _query("thread_id", "explicit thread identifier", False),
                               _query("limit", "top-level comments per page", False),
                               {"name": "sort", "in": "query", "required": False,
                                "schema": {"enum": ["oldest", "newest", "best"]}}],
                "responses": {"200": _answer("`after` for /threads (null: the first page) and "
                                             "the comment's top-level comment", {
                                                 "type": "object", "properties": {
                                                     "after": {"type": ["integer", "null"]},
                                                     "root_id": {"type": "integer"}}}),
                              **_errors(400, 403, 404)}}},
            "/threads/mine": {"get": {
                "summary": "The caller's own pending and editable comments in a thread",
                "parameters": [_query("url", "the article URL"),
                               _query("thread_id", "explicit thread identifier", False)],
                "responses": {"200": _answer("Private, never cached"), **_errors(400, 401, 403)}}},
            "/comments": {"post": {
                "summary": "Post a comment or a reply", "security": [{"bearer": []}],
                "requestBody": _json_body({
                    "url": {"type": "string"},
                    "title": {"type": "string", "deprecated": True,
                              "description": "ignored: the server reads the page's title"},
                    "body": {"type": "string"}, "parent_id": _ID,
                    "thread_id": {"type": "string"},
                    "website": {"type": "string", "description": "the embed's honeypot field: "
                                "people leave it empty"},
                    "typing_ms": {"type": "integer", "description": "the embed's time from the "
                                  "first key press to Post (spam heuristics)"}}, ["url", "body"]),
                "responses": {"201": _answer("The new comment", comment),
                              **_errors(400, 401, 403, 404, 413, 415, 429)}}},
            "/comments/{comment_id}": {
                "parameters": [{"name": "comment_id", "in": "path", "required": True,
                                "schema": _ID}],
                "patch": {
                    "summary": "Edit one's own comment within the edit window",
                    "security": [{"bearer": []}],
                    "requestBody": _json_body({"body": {"type": "string"},
                                               "website": {"type": "string"},
                                               "typing_ms": {"type": "integer"}}, ["body"]),
                    "responses": {"200": _answer("The edited comment", comment),
                                  **_errors(400, 401, 403, 404, 413, 415)}},
                "delete": {
                    "summary": "Delete one's own comment", "security": [{"bearer": []}],
                    "responses": {"204": _answer("Deleted"), **_errors(401, 403, 404)}}},
            "/comments/{comment_id}/flag": {
                "parameters": [{"name": "comment_id", "in": "path", "required": True,
                                "schema": _ID}],
                "post": {
                    "summary": "Report a comment to the moderators",
                    "security": [{"bearer": []}],
                    "requestBody": _json_body({
                        "reason": {"enum": ["spam", "abuse", "off_topic", "other"]},
                        "text": {"type": "string", "maxLength": 500}}, ["reason"]),
                    "responses": {"201": _answer("Reported"),
                                  **_errors(400, 401, 403, 404, 409, 413, 415, 429)}}},
            "/comments/{comment_id}/vote": {
                "parameters": [{"name": "comment_id", "in": "path", "required": True,
                                "schema": _ID}],
                "put": {
                    "summary": "Vote a comment up (1) or down (-1, if the site allows), or 0 "
                               "to take the vote back",
                    "security": [{"bearer": []}],
                    "requestBody": _json_body({"value": {"enum": [1, -1, 0]}}, ["value"]),
                    "responses": {"200": _answer("The comment's tally and the caller's vote", {
                        "type": "object", "properties": {"up": {"type": "integer"},
                                                         "down": {"type": "integer"},
                                                         "mine": {"enum": [1, -1, 0]}}}),
                                  **_errors(400, 401, 403, 404, 413, 415, 429)}},
                "delete": {
                    "summary": "Take one's vote back", "security": [{"bearer": []}],
                    "responses": {"200": _answer("The comment's tally"),
                                  **_errors(401, 403, 404, 429)}}},
            "/counts": {"get": {
                "summary": "Approved comment counts for up to 100 articles",
                "parameters": [_query("url", "article URLs", many=True),
                               _query("id", "explicit thread ids (with `site`)", False, True),
                               _query("site", "the allowed origin the ids belong to", False)],
                "responses": {"200": _answer("Counts keyed by the URLs (and ids) as sent"),
                              **_errors(400, 403)}}},
            "/me": {"get": {
                "summary": "The logged-in reader (or null), and the site's own login and "
                           "logout pages (or null where readers use ours)",
                "responses": {"200": _answer("Who is asking"), **_errors(401, 403)}}},
            "/me/notifications": {"put": {
                "summary": "Turn the caller's reply emails on or off",
                "security": [{"bearer": []}],
                "requestBody": _json_body({"replies": {"type": "boolean"}}, ["replies"]),
                "responses": {"200": _answer("The new choice"),
                              **_errors(400, 401, 403, 413, 415)}}},
            "/threads/authors": {
                "put": {
                    "summary": "Name the article's authors (the site's signed payload)",
                    "description": "`authors` is the payload the site signed with its single "
                                   "sign-on secret: {url, authors: [user ids]}",
                    "requestBody": _json_body({"url": {"type": "string"},
                                               "thread_id": {"type": "string"},
                                               "authors": {"type": "string"}},
                                              ["url", "authors"]),
                    "responses": {"200": _answer("Stored: the thread's new authors_tag"),
                                  **_errors(400, 403, 404, 413, 415)}}},
            "/threads/follow": {
                "put": {
                    "summary": "Follow an article: email me its new top-level comments",
                    "security": [{"bearer": []}],
                    "requestBody": _json_body({"url": {"type": "string"},
                                               "thread_id": {"type": "string"}}, ["url"]),
                    "responses": {"200": _answer("Following"),
                                  **_errors(400, 401, 403, 404, 413, 415)}},
                "delete": {
                    "summary": "Stop following an article",
                    "security": [{"bearer": []}],
                    "parameters": [_query("url", "the article URL"),
                                   _query("thread_id", "explicit thread identifier", False)],
                    "responses": {"200": _answer("Not following"),
                                  **_errors(400, 401, 403, 404)}}},
            "/tokens": {"post": {
                "summary": "Exchange email and password for a bearer token",
                "requestBody": _json_body({"email": {"type": "string"},
                                           "password": {"type": "string"}},
                                          ["email", "password"]),
                "responses": {"201": _answer("A token and its reader", {
                    "type": "object", "properties": {"token": {"type": "string"},
                                                     "reader": reader}}),
                              **_errors(400, 401, 403, 413, 415, 429)}}},
            "/tokens/sso": {"post": {
                "summary": "Exchange a site's signed single sign-on payload for a bearer token "
                           "(docs/accounts.md); the Origin header names the site",
                "requestBody": _json_body({"payload": {"type": "string", "maxLength": 4096}},
                                          ["payload"]),
                "responses": {"201": _answer("A token and its reader", {
                    "type": "object", "properties": {"token": {"type": "string"},
                                                     "reader": reader}}),
                              **_errors(400, 403, 413, 415, 429)}}},
            "/tokens/current": {"delete": {
                "summary": "Log out: revoke the token sent", "security": [{"bearer": []}],
                "responses": {"204": _answer("Revoked"), **_errors(401)}}},
        },
    }


def openapi_json() -> Response:
    """The API description, with the server URL this app is reached at."""
    base = url_for("comments_widget.api.thread", _external=True).rsplit("/threads", 1)[0]
    return jsonify(_spec(base))

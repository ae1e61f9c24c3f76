"""The published API description and docs/api.md keep up with the code."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent


def test_openapi_describes_every_api_route(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/comments/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["servers"] == [{"url": "http://localhost/comments/api/v1"}]
    routes = {
        (rule.rule.removeprefix("/comments/api/v1"), method.lower())
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("comments_widget.api.")
        and not rule.rule.endswith("openapi.json") and not rule.endpoint.endswith("unknown_route")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    routes = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path), method) for path, method in routes}
    described = {(path, method) for path, ops in spec["paths"].items() for method in ops
                 if method != "parameters"}
    assert routes == described


def test_every_error_code_in_the_code_is_documented() -> None:
    source = "\n".join(p.read_text() for p in (ROOT / "comments_widget").rglob("*.py"))
    codes = set(re.findall(r'code="([a-z_]+)"', source))
    docs = (ROOT / "docs" / "api.md").read_text()
    pages_only = {"display_name_required", "display_name_too_long", "display_name_reserved",
                  "password_too_short", "password_too_long", "password_is_email",
                  "password_too_common", "email_taken",  # Registration is a form.
                  "url_other_site"}  # Dashboard forms.
    assert codes, "no error codes found"
    assert sorted(c for c in codes - pages_only if f"`{c}`" not in docs) == []

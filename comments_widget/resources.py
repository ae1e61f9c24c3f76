"""Where the shipped static files and templates are, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).parent


def _resource_dir(name: str) -> Path:
    # A wheel maps the repository's top-level static/ and templates/ into the package; a source
    # checkout (editable install, tests) keeps them beside the package.
    inside = _PACKAGE_DIR / name
    return inside if inside.is_dir() else _PACKAGE_DIR.parent / name


STATIC_DIR = _resource_dir("static")
TEMPLATES_DIR = _resource_dir("templates")

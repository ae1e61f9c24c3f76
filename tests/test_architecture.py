"""Rules about where code lives, checked so that the next change cannot quietly break them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "comments_widget"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_dashboard_views_never_query_the_database_themselves() -> None:
    """Every dashboard query lives in services/ (where it is tested and reused); a view that
    imports SQLAlchemy is one that started writing its own."""
    offenders = {path.name: sorted(m for m in imported_modules(path)
                                   if m == "sqlalchemy" or m.startswith("sqlalchemy."))
                 for path in (ROOT / "admin").glob("*.py")}
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def test_hold_reasons_become_words_only_in_templates() -> None:
    """Code decides on a reason's kind; no Python module spells a reason out in English for
    another to parse (the shape issue #11 asked for)."""
    phrases = ("first-time commenter", "pre-moderation: all comments", "banned word:")
    spelled = [(path.relative_to(ROOT).as_posix(), phrase)
               for path in ROOT.rglob("*.py") for phrase in phrases
               if phrase in path.read_text(encoding="utf-8")
               and path.name != "hold_reasons.py"]  # reads rows written before the records
    assert spelled == []

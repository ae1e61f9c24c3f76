"""axe-core (WCAG 2.2 AA rules) run inside the test browser. Installed from npm into .venv/node
on first use (pinned), so `make test` needs nothing by hand; without npm the accessibility
tests are skipped on a developer machine and fail in CI."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

AXE_VERSION = "4.14.1"
PREFIX = Path(__file__).resolve().parent.parent / ".venv" / "node"
AXE = PREFIX / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_script() -> Path:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            message = "npm is needed to install axe-core for the accessibility tests"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(message)
            pytest.skip(message)
        subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                        str(PREFIX), f"axe-core@{AXE_VERSION}"], check=True, timeout=300)
    return AXE


def violations(page: Any, include: str = "#comments") -> list[str]:
    """Each WCAG 2.2 AA violation inside `include`, as "rule: target — summary"."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
    result = page.evaluate("""([include, tags]) => axe.run({include: [[include]]},
        {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})""",
                           [include, WCAG_22_AA])
    return [f"{v['id']}: {node['target']} — {node['failureSummary'][:160]}"
            for v in result["violations"] for node in v["nodes"]]

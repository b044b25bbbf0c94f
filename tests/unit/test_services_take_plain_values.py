"""Services take plain values: nothing under parentapp/services reads the app or the request.

Configuration reaches them as arguments, built by parentapp/service_settings.py at the
edges (views, console pages, jobs, commands).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "parentapp" / "services"
EDGE_ONLY = {"flask", "flask_smorest", "parentapp.service_settings", "parentapp.security"}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "parentapp":
                found |= {f"parentapp.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("path", sorted(SERVICES.rglob("*.py")),
                         ids=lambda p: p.relative_to(SERVICES).as_posix())
def test_a_service_module_imports_neither_flask_nor_the_settings(path):
    assert _imports(path) & EDGE_ONLY == set()


def test_the_check_sees_a_flask_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from flask import current_app\nfrom parentapp import service_settings\n")
    assert _imports(sample) & EDGE_ONLY == {"flask", "parentapp.service_settings"}

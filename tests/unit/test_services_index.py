"""Every services package opens with an index "rule -> module" that stays true.

Each name an index points at (``module`` or ``module.function``) must exist, and
every module of the package must be named in its index.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "parentapp" / "services"
PACKAGES = sorted(p.name for p in SERVICES.iterdir() if (p / "__init__.py").exists())
TARGET = re.compile(r"\b([a-z_]+(?:\.[a-z_]+)*)\b")


def _index(package: str) -> str:
    return ast.get_docstring(ast.parse((SERVICES / package / "__init__.py").read_text())) or ""


def _targets(package: str) -> list[str]:
    """The names right of every '->' (and on the continuation lines below one)."""
    found, in_entry = [], False
    for line in _index(package).splitlines():
        if "->" in line:
            right, in_entry = line.rsplit("->", 1)[1], True
        elif in_entry and line.startswith(" " * 40) and line.strip():
            right = line
        else:
            in_entry = False
            continue
        right = re.sub(r"\([^)]*\)", "", right)  # "(lock order)" says why, names nothing
        found += TARGET.findall(right)
    return found


def test_every_feature_package_has_an_index():
    assert set(PACKAGES) == {"accounts", "booking", "nurseries", "classes", "health",
                             "reminders", "stats", "common", "family", "benefits", "staff",
                             "alerts", "places"}
    for package in PACKAGES:
        assert len(_targets(package)) >= 3, package


@pytest.mark.parametrize("package", PACKAGES)
def test_every_name_in_an_index_exists(package):
    for target in _targets(package):
        module_name, _, attribute = target.partition(".")
        module = importlib.import_module(f"parentapp.services.{package}.{module_name}")
        if attribute:
            assert hasattr(module, attribute), f"{package}/__init__: {target} does not exist"


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_is_named_in_its_index(package):
    named = {target.split(".")[0] for target in _targets(package)}
    modules = {p.stem for p in (SERVICES / package).glob("*.py") if p.stem != "__init__"}
    assert modules - named == set()


@pytest.mark.parametrize("path", sorted(SERVICES.rglob("*.py")),
                         ids=lambda p: p.relative_to(SERVICES).as_posix())
def test_no_service_module_is_over_300_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300

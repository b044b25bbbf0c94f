"""The transaction rule of parentapp/services/__init__.py, checked on the source.

A public service function that commits is wrapped in ``rolls_back``; a private
function never commits (it says "caller commits"); jobs and models never commit.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "parentapp"
# Deliberate exceptions, each explained where it stands:
EXCEPTIONS = {
    # A refused request stores its refusal in a transaction of its own after the work
    # rolled back (retried while the database is busy).
    ("common/idempotency.py", "_write_with_retries"),
    # The commit helper itself: commits without expiring what the answer is built from.
    ("common/transactions.py", "commit_keeping_loaded"),
    # Ends a read-only transaction so that the write begins IMMEDIATE on SQLite.
    ("common/transactions.py", "begin_write"),
    # A view decorator: after an autocommit read, hands the connection back (nothing to
    # commit; nothing was written).
    ("common/transactions.py", "reads_only"), ("common/transactions.py", "decorator"),
    ("common/transactions.py", "wrapper"),
    # Ends the (read-only) transaction before WeChat is called; refuses unsaved changes.
    ("reminders/dispatch.py", "_leave_transaction"),
}


def _functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _commits(node: ast.AST) -> bool:
    """A call of ``.commit()`` or of the ``commit_keeping_loaded()`` helper."""
    return any(isinstance(n, ast.Call) and (
        isinstance(n.func, ast.Attribute) and n.func.attr == "commit"
        or isinstance(n.func, ast.Name) and n.func.id == "commit_keeping_loaded")
        for n in ast.walk(node))


def _service_functions():
    services = ROOT / "services"
    for path in sorted(services.rglob("*.py")):
        for node in _functions(path):
            yield path.relative_to(services).as_posix(), node


def test_the_services_index_states_the_rule():
    index = ast.get_docstring(ast.parse((ROOT / "services" / "__init__.py").read_text()))
    assert "rolls_back" in index and "caller commits" in index and "never commit" in index


@pytest.mark.parametrize(("module", "name"), [
    (module, node.name) for module, node in _service_functions() if _commits(node)])
def test_a_committing_service_function_is_public_and_rolls_back(module, name):
    if (module, name) in EXCEPTIONS:
        return
    [node] = [n for m, n in _service_functions() if m == module and n.name == name]
    decorators = {ast.unparse(d) for d in node.decorator_list}
    assert not name.startswith("_"), f"{module}:{name} is private and commits"
    assert "rolls_back" in decorators, f"{module}:{name} commits without @rolls_back"


def test_the_exceptions_still_exist_and_still_commit():
    found = {(module, node.name) for module, node in _service_functions() if _commits(node)}
    assert found >= EXCEPTIONS


@pytest.mark.parametrize("path", [ROOT / "jobs.py", *sorted((ROOT / "models").glob("*.py"))],
                         ids=lambda p: p.name)
def test_jobs_and_models_never_commit(path):
    committing = [node.name for node in _functions(path) if _commits(node)]
    assert committing == []

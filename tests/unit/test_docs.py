"""The markdown stays true to the code: error codes, and the paths it names."""

import inspect
import re
from pathlib import Path

import pytest

from parentapp import errors

ROOT = Path(__file__).resolve().parents[2]
MARKDOWN = ["README.md", "docs/api.md", "parentapp/data/schedules/README.md"]
# A backticked path starting with one of the repository's top-level folders.
REPO_PATH = re.compile(
    r"`((?:parentapp|mini_program_api|migrations|tests|bench|scripts|docs|\.ci)/[\w./-]*)`")
TABLE_ROW = re.compile(r"^\| (\d{3}) \| `([a-z_]+)` \|", re.MULTILINE)


def _raised_codes() -> set[tuple[int, str]]:
    classes = [c for c in vars(errors).values()
               if inspect.isclass(c) and issubclass(c, errors.AppError)]
    # Conflict is only the base of the 409s; nothing raises it.
    return {(c.status, c.code) for c in classes if c is not errors.Conflict}


def test_the_api_guide_lists_exactly_the_error_codes_the_app_has():
    listed = {(int(status), code)
              for status, code in TABLE_ROW.findall((ROOT / "docs/api.md").read_text())}
    raised = _raised_codes()
    assert not raised - listed, f"add these to the table in docs/api.md: {raised - listed}"
    assert not listed - raised, f"docs/api.md lists codes the app lacks: {listed - raised}"


@pytest.mark.parametrize("name", MARKDOWN)
def test_markdown_names_only_paths_that_exist(name):
    named = REPO_PATH.findall((ROOT / name).read_text())
    missing = [path for path in named if not (ROOT / path).exists()]
    assert named and not missing


def test_the_readme_points_at_nothing_outside_the_repository():
    text = (ROOT / "README.md").read_text()
    assert "../" not in text
    assert "docs/api.md" in text

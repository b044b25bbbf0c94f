"""Every fuzz test runs in an app context and leaves the tables empty (see tests/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def _database(db):
    return db

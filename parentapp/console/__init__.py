"""The web console for nursery operators and the health commission.

Server-rendered pages over the same service functions as the API. Signing in
issues a revocable console-session reference (a token row of kind ``console``, never
an API bearer token) kept in the signed session cookie, so logout, password changes
and account deletion end console sessions too. The cookie's attributes are set in
``parentapp.config``.
"""

from flask import Flask

# Importing the page modules attaches their routes and hooks to the blueprint.
from parentapp.console import (  # noqa: F401
    alert_pages,
    audit_pages,
    class_pages,
    class_roster_pages,
    dashboard_pages,
    filing_pages,
    nursery_pages,
    offering_pages,
    operator_pages,
    pages,
    register_pages,
    regulator_pages,
    roster_pages,
    round_pages,
    session_auth,
    slot_pages,
    staff_pages,
)
from parentapp.console.blueprint import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

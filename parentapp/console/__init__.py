"""The web console for nursery operators and the health commission.

Server-rendered pages over the same service functions as the API. Signing in
issues an ordinary revocable token kept in the signed session cookie, so
logout, password changes and account deletion end console sessions too.
"""

from flask import Flask

# Importing the page modules attaches their routes and hooks to the blueprint.
from parentapp.console import (  # noqa: F401
    filing_pages,
    operator_pages,
    pages,
    regulator_pages,
    session_auth,
)
from parentapp.console.blueprint import bp


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SECURE", app.config["PARENTAPP_ENV"] == "production")
    app.register_blueprint(bp)

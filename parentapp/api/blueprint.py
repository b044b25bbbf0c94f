"""flask-smorest's Blueprint, reading JSON bodies through the request's one strict parse."""

from __future__ import annotations

from typing import Any

import flask
import flask_smorest
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request


class BodyParser(FlaskParser):
    """webargs parses the raw body again with Python's lenient ``json``; this one takes
    ``request.get_json()``, parsed (and cached) by ``parentapp.json_body``."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req) or not req.get_data(cache=True).strip():
            return core.missing
        return req.get_json()


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = BodyParser()

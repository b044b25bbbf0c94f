"""A browsable, offline page over the served OpenAPI document."""

from flask import Blueprint, Flask, render_template

bp = Blueprint("docs", __name__)


@bp.route("/api/v1/docs")
def api_docs():
    return render_template("api_docs.html")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

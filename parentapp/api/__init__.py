"""Every blueprint, registered on the one flask-smorest Api."""

from parentapp.api import auth, children, me, meta

BLUEPRINTS = [meta.health_blp, meta.blp, auth.blp, me.blp, children.blp]


def register_blueprints(api) -> None:
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)

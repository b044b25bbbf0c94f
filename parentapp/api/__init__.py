"""Every blueprint, registered on the one flask-smorest Api."""

from parentapp.api import auth, children, me, meta, notifications

BLUEPRINTS = [
    meta.health_blp,
    meta.blp,
    auth.blp,
    me.blp,
    notifications.blp,
    children.blp,
]


def register_blueprints(api) -> None:
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)

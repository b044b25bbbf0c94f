"""Every blueprint, registered on the one flask-smorest Api."""

from parentapp.api import auth, children, health, me, meta, notifications

BLUEPRINTS = [
    meta.health_blp,
    meta.blp,
    auth.blp,
    me.blp,
    notifications.blp,
    children.blp,
    health.blp,
]


def register_blueprints(api) -> None:
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)

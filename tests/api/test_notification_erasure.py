from parentapp.extensions import db
from parentapp.models import Notification, SubscriptionGrant
from tests.factories import make_child
from tests.notify_factories import give_grants, make_notification


def count(model, **where):
    stmt = db.select(db.func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return db.session.scalar(stmt)


def test_deleting_the_account_removes_its_grants_and_messages(client, auth):
    user, headers = auth.parent()
    other, _ = auth.parent()
    give_grants(user, "vaccine", 2)
    give_grants(other, "vaccine", 1)
    make_notification(user)
    make_notification(user, delivery_state="sent")
    make_notification(other)
    assert client.delete("/api/v1/me", headers=headers).status_code == 204
    db.session.expire_all()
    assert count(Notification, user_id=user.id) == 0
    assert count(SubscriptionGrant, user_id=user.id) == 0
    assert count(Notification, user_id=other.id) == 1
    assert count(SubscriptionGrant, user_id=other.id) == 1


def test_deleting_a_child_removes_its_reminders_only(client, auth):
    user, headers = auth.parent()
    child, sibling = make_child(user), make_child(user)
    make_notification(user, child_id=child.id)
    make_notification(user, child_id=sibling.id)
    assert client.delete(f"/api/v1/children/{child.id}", headers=headers).status_code == 204
    db.session.expire_all()
    assert count(Notification, child_id=child.id) == 0
    assert count(Notification, user_id=user.id) == 1

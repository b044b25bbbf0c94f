"""Every menu entry and nursery tab names a registered GET page of the console."""

from parentapp.console.navigation import BY_ROLE, EVERY_ROLE, NURSERY_TABS


def _get_rules(app) -> dict[str, set[str]]:
    rules: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            rules.setdefault(rule.endpoint, set()).update(rule.arguments)
    return rules


def test_every_menu_entry_is_a_page_without_parameters(app):
    rules = _get_rules(app)
    entries = [endpoint for items in BY_ROLE.values() for endpoint, _ in items]
    entries += [endpoint for endpoint, _ in EVERY_ROLE]
    for endpoint in entries:
        assert rules.get(endpoint) == set(), endpoint


def test_every_nursery_tab_is_a_page_of_one_nursery(app):
    rules = _get_rules(app)
    for endpoint, label in NURSERY_TABS:
        assert rules.get(endpoint) == {"nursery_id"}, (endpoint, label)
    assert len({label for _, label in NURSERY_TABS}) == len(NURSERY_TABS)

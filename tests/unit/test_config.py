import pytest

from parentapp.config import ConfigError, load_config


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("PARENTAPP_ENV", "production")
    monkeypatch.delenv("PARENTAPP_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="PARENTAPP_SECRET_KEY"):
        load_config(str(tmp_path))


@pytest.mark.parametrize("weak", ["dev", "change-me", "short-key"])
def test_production_refuses_a_weak_secret_key(monkeypatch, tmp_path, weak):
    monkeypatch.setenv("PARENTAPP_ENV", "production")
    monkeypatch.setenv("PARENTAPP_SECRET_KEY", weak)
    with pytest.raises(ConfigError):
        load_config(str(tmp_path))


def test_production_uses_the_real_wechat_api_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("PARENTAPP_ENV", "production")
    monkeypatch.setenv("PARENTAPP_SECRET_KEY", "k" * 40)
    monkeypatch.delenv("PARENTAPP_WECHAT_API_BASE", raising=False)
    assert load_config(str(tmp_path))["WECHAT_API_BASE"] == "https://api.weixin.qq.com"


def test_defaults_follow_the_contract(monkeypatch, tmp_path):
    for name in ("ENV", "WAITLIST_OFFER_MINUTES", "NOTIFY_RETRY_SECONDS", "DATABASE_URL",
                 "WECHAT_MINIPROGRAM_STATE", "WECHAT_TEMPLATES"):
        monkeypatch.delenv(f"PARENTAPP_{name}", raising=False)
    config = load_config(str(tmp_path))
    assert config["WAITLIST_OFFER_MINUTES"] == 120
    assert config["NOTIFY_RETRY_SECONDS"] == [60, 300, 1800, 7200]
    assert config["WECHAT_MINIPROGRAM_STATE"] == "formal"
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert set(config["WECHAT_TEMPLATES"]) == {"vaccine", "checkup", "booking", "class"}


@pytest.mark.parametrize(("name", "value"), [
    ("NOTIFY_RETRY_SECONDS", "60,abc"),
    ("NOTIFY_RETRY_SECONDS", "0"),
    ("WECHAT_TEMPLATES", '{"vaccine": "x"}'),
    ("WECHAT_TEMPLATES", "not json"),
    ("WECHAT_MINIPROGRAM_STATE", "beta"),
    ("ENV", "staging"),
    ("SUBSIDY_REMINDER_DATE", "02-29"),
    ("SUBSIDY_REMINDER_DATE", "13-01"),
    ("SUBSIDY_REMINDER_DATE", "January 5"),
])
def test_bad_settings_fail_loudly(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(f"PARENTAPP_{name}", value)
    with pytest.raises(ConfigError):
        load_config(str(tmp_path))


CONTRACT_LIMITS = {  # the contract's "Limits (abuse and fairness)" table
    "login_failures": 5, "logins_per_ip": 30, "wechat_logins_per_ip": 60,
    "bookings_per_minute": 20, "future_slots_per_child": 100, "children_per_guardian": 6,
    "waitlist_per_child": 10, "class_places_per_family": 20, "invite_attempts": 10,
    "people_per_child": 6, "guardians_per_child": 2,
}


def test_limits_default_to_the_contract_table_with_memory_counters(monkeypatch, tmp_path):
    for name in ("LIMITS", "REDIS_URL", "TRUSTED_PROXIES"):
        monkeypatch.delenv(f"PARENTAPP_{name}", raising=False)
    config = load_config(str(tmp_path))
    assert config["LIMITS"] == CONTRACT_LIMITS
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["TRUSTED_PROXIES"] == 0


def test_limits_are_overridden_by_name_and_redis_holds_the_counters(monkeypatch, tmp_path):
    monkeypatch.setenv("PARENTAPP_LIMITS", '{"bookings_per_minute": 100, "waitlist_per_child": 0}')
    monkeypatch.setenv("PARENTAPP_REDIS_URL", "redis://cache.internal:6379/2")
    monkeypatch.setenv("PARENTAPP_TRUSTED_PROXIES", "2")
    config = load_config(str(tmp_path))
    assert config["LIMITS"] == {**CONTRACT_LIMITS, "bookings_per_minute": 100,
                                "waitlist_per_child": 0}
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/2"
    assert config["TRUSTED_PROXIES"] == 2


@pytest.mark.parametrize(("name", "value"), [
    ("LIMITS", '{"bookings_per_hour": 5}'),
    ("LIMITS", '{"bookings_per_minute": -1}'),
    ("LIMITS", '{"bookings_per_minute": 2.5}'),
    ("LIMITS", '{"bookings_per_minute": "20"}'),
    ("LIMITS", '{"bookings_per_minute": true}'),
    ("LIMITS", '{"bookings_per_minute": null}'),
    ("LIMITS", "[1, 2]"),
    ("LIMITS", "not json"),
    ("TRUSTED_PROXIES", "-1"),
    ("TRUSTED_PROXIES", "one"),
])
def test_bad_limit_settings_stop_the_app_at_start(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(f"PARENTAPP_{name}", value)
    with pytest.raises(ConfigError, match=f"PARENTAPP_{name}"):
        load_config(str(tmp_path))


def test_the_subsidy_reminder_day_is_read_as_month_and_day(monkeypatch, tmp_path):
    assert load_config(str(tmp_path))["SUBSIDY_REMINDER_DATE"] == (1, 5)
    monkeypatch.setenv("PARENTAPP_SUBSIDY_REMINDER_DATE", "03-01")
    assert load_config(str(tmp_path))["SUBSIDY_REMINDER_DATE"] == (3, 1)


def test_the_schedule_overlay_is_unset_by_default_and_read_as_a_path(monkeypatch, tmp_path):
    monkeypatch.delenv("PARENTAPP_SCHEDULE_OVERLAY", raising=False)
    assert load_config(str(tmp_path))["SCHEDULE_OVERLAY"] is None
    monkeypatch.setenv("PARENTAPP_SCHEDULE_OVERLAY", "")
    assert load_config(str(tmp_path))["SCHEDULE_OVERLAY"] is None
    monkeypatch.setenv("PARENTAPP_SCHEDULE_OVERLAY", "/etc/parentapp/overlay.json")
    assert load_config(str(tmp_path))["SCHEDULE_OVERLAY"] == "/etc/parentapp/overlay.json"


def test_a_schedule_overlay_path_with_stray_spaces_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("PARENTAPP_SCHEDULE_OVERLAY", "/etc/parentapp/overlay.json ")
    with pytest.raises(ConfigError, match="PARENTAPP_SCHEDULE_OVERLAY"):
        load_config(str(tmp_path))

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
])
def test_bad_settings_fail_loudly(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(f"PARENTAPP_{name}", value)
    with pytest.raises(ConfigError):
        load_config(str(tmp_path))

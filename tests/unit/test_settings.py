"""Settings: placeholder secrets are refused by name; the embedded default database is one absolute path."""

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from config import ROOT, Settings, SettingsError, get_settings


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


@pytest.mark.parametrize("name, value", [
    ("OPENAI_API_KEY", "sk-..."), ("SLACK_BOT_TOKEN", "xoxb-..."), ("SLACK_SIGNING_SECRET", "..."),
    ("SLACK_APP_TOKEN", "xapp-…"), ("OPENAI_API_KEY", "changeme"), ("SLACK_BOT_TOKEN", "<your bot token>"),
])
def test_a_placeholder_secret_is_refused_by_name(name, value):
    with pytest.raises(ValidationError) as exc:
        settings(**{name: value})
    assert f"{name} is still a placeholder" in str(exc.value)


def test_real_and_empty_secrets_are_taken():
    s = settings(OPENAI_API_KEY="sk-proj-4f9a", SLACK_BOT_TOKEN="xoxb-1-2-abc", SLACK_SIGNING_SECRET="",
                 SLACK_APP_TOKEN="   ")
    assert s.openai_api_key.get_secret_value() == "sk-proj-4f9a" and s.slack_bot_token.get_secret_value()
    assert s.slack_signing_secret is None and s.slack_app_token is None  # `KEY=` means unset


def test_the_app_stops_with_the_message_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-...")
    get_settings.cache_clear()
    try:
        with pytest.raises(SettingsError) as exc:
            get_settings()
    finally:
        get_settings.cache_clear()
    assert isinstance(exc.value, SystemExit) and str(exc.value.code).startswith(
        "Tally cannot start: SLACK_BOT_TOKEN is still a placeholder ('xoxb-...', as in .env.example)")



def test_the_default_database_does_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("TALLY_DATA_DIR", raising=False)
    urls = []
    for folder in (tmp_path, ROOT / "tests"):
        monkeypatch.chdir(folder)
        settings = Settings(_env_file=None)
        urls.append(settings.database_url)
        assert not settings.database_url_given
    assert urls == [f"sqlite:///{ROOT / 'tally.db'}"] * 2

    monkeypatch.setenv("TALLY_DATA_DIR", str(tmp_path / "data"))
    settings = Settings(_env_file=None)
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'tally.db'}"
    assert not settings.database_url_given and Path(settings.database_url[10:]).is_absolute()

    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/tally")
    settings = Settings(_env_file=None)
    assert settings.database_url_given and settings.database_url == "postgresql+psycopg://u@db.example/tally"


def test_the_write_off_tolerance_reaches_the_rules():
    from core.write_off import WriteOffTolerance
    from wiring import rules_from

    assert rules_from(settings()).write_off == WriteOffTolerance(Decimal("5.00"), Decimal("0"))
    tuned = rules_from(settings(TALLY_WRITE_OFF_TOLERANCE="12.50", TALLY_WRITE_OFF_SHARE="0.01"))
    assert tuned.write_off == WriteOffTolerance(Decimal("12.50"), Decimal("0.01"))
    with pytest.raises(ValidationError):
        settings(TALLY_WRITE_OFF_SHARE="1.5")

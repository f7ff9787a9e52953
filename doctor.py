"""`python app.py doctor`: whether this installation can run, each check with what to fix.

Settings load and make sense; the database answers and is at the newest migration; Slack accepts the
bot token and grants the scopes the manifest asks for; the model endpoint answers. Nothing is changed:
the database is not migrated, nothing is posted, the model is asked for one token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from config import Settings, SettingsError, get_settings

MANIFEST = Path(__file__).resolve().parent / "manifest.yml"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str  # what was found, or what to fix
    skipped: bool = False


def run_checks() -> list[Check]:
    try:
        settings = get_settings()
    except SettingsError as exc:
        return [Check("settings", False, str(exc))]
    checks = [Check("settings", True, "loaded")]
    for check in (_database, _slack, _model):
        try:
            checks.append(check(settings))
        except Exception as exc:  # a check that breaks is a finding, never a traceback
            checks.append(Check(check.__name__.strip("_"), False, f"{type(exc).__name__}: {exc}"))
    return checks


def _database(settings: Settings) -> Check:
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    from db.migrate import alembic_config, current_revision

    engine = create_engine(settings.database_url)
    shown = engine.url.render_as_string(hide_password=True)
    path = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if path and path != ":memory:" and not Path(path).exists():  # connecting would create it: look, don't touch
        return Check("database", False, f"{shown} does not exist yet: run `python app.py migrate`.")
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return Check("database", False, f"{shown} does not answer: {reason}. Check DATABASE_URL and that the "
                                        "server runs.")
    finally:
        engine.dispose()
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    if current != head:
        return Check("database", False, f"{shown} is at revision {current or 'none'}, the code needs {head}: "
                                        "run `python app.py migrate`.")
    return Check("database", True, f"{shown} at revision {head}")


def _wanted_scopes() -> set[str]:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return set(manifest["oauth_config"]["scopes"]["bot"])


def _slack(settings: Settings) -> Check:
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    from wiring import SettingsProblem, check_slack_settings, secret

    if settings.slack_bot_token is None:
        return Check("slack", True, "not configured (console only); set SLACK_BOT_TOKEN to serve Slack",
                     skipped=True)
    try:
        check_slack_settings(settings)
    except SettingsProblem as exc:
        return Check("slack", False, str(exc))
    client = WebClient(token=secret(settings.slack_bot_token), base_url=settings.slack_api_url, timeout=10)
    try:
        answer = client.auth_test()
    except SlackApiError as exc:
        return Check("slack", False, f"auth.test refused the bot token ({exc.response.get('error')}): "
                                     "reinstall the app and copy its Bot User OAuth Token.")
    except OSError as exc:  # no answer at all
        return Check("slack", False, f"{settings.slack_api_url} does not answer ({exc}): check the network, "
                                     "a proxy, or SLACK_API_URL.")
    granted = {s.strip() for s in (answer.headers.get("x-oauth-scopes") or "").split(",") if s.strip()}
    missing = sorted(_wanted_scopes() - granted) if granted else []
    if missing:
        return Check("slack", False, f"the token lacks {', '.join(missing)}: add them (manifest.yml) and reinstall.")
    return Check("slack", True, f"signed in as {answer.get('user')} in {answer.get('team')}")


def _model(settings: Settings) -> Check:
    if not settings.model_configured:
        return Check("model", True, "not configured: commands work, plain language needs TALLY_MODEL",
                     skipped=True)
    from openai import OpenAI, OpenAIError

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    client = OpenAI(api_key=key, base_url=settings.openai_base_url, timeout=settings.model_timeout_s, max_retries=0)
    try:
        client.chat.completions.create(model=settings.model, max_tokens=1,
                                       messages=[{"role": "user", "content": "ping"}])
    except OpenAIError as exc:
        where = settings.openai_base_url or "OpenAI"
        return Check("model", False, f"{settings.model} at {where} did not answer: {type(exc).__name__}: "
                                     f"{str(exc)[:200]}. Check TALLY_MODEL, OPENAI_BASE_URL and OPENAI_API_KEY.")
    return Check("model", True, f"{settings.model} answers")


def report(checks: list[Check], say: Callable[[str], None]) -> bool:
    for check in checks:
        mark = "skip" if check.skipped else ("ok" if check.ok else "FIX")
        say(f"{mark:<4} {check.name:<9} {check.detail}")
    return all(c.ok for c in checks)

"""Wiring: settings → database (migrated) → the Tally service → model and Slack. Every front end starts here;
nothing below it (bot/, tools/) reads settings."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from config import Settings
from core.write_off import WriteOffTolerance
from db.migrate import upgrade
from db.scale_seed import load_data
from db.session import Database
from tools import Clock, Rules, SystemClock, Tally
from tools.alert_outbox import load_thresholds
from tools.documents.model import Seller
from tools.dunning_policy import load_policy

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_openai import ChatOpenAI

    from bot.agent.turn import Conversation


def rules_from(settings: Settings) -> Rules:
    return Rules(currency=settings.currency, seller=seller_from(settings), timezone=settings.timezone,
                 credit_max_days_overdue=settings.credit_max_days_overdue, tax_rate=settings.tax_rate,
                 max_discount=settings.max_discount, read_alert_floor=settings.read_alert_floor,
                 limit_manager_above=settings.limit_manager_above,
                 credit_note_manager_above=settings.credit_note_manager_above,
                 write_off=WriteOffTolerance(settings.write_off_tolerance, settings.write_off_share))


def seller_from(settings: Settings) -> Seller:
    return Seller(name=settings.seller_name, address=settings.seller_address, tax_id=settings.seller_tax_id,
                  bank_details=settings.seller_bank_details, country=settings.seller_country.upper())


def open_database(settings: Settings) -> Database:
    if not settings.database_url_given:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    upgrade(db.engine)
    return db


def build_tally(settings: Settings, clock: Clock | None = None, *, demo_if_new: bool = False) -> Tally:
    """Migrate on start. Only a caller that asks (the console on the embedded default database) gets the
    demo company, and only in an empty database: a real deployment is never filled with it."""
    db = open_database(settings)
    clock = clock or SystemClock()
    if demo_if_new:
        load_data(db, clock.now(), only_if_empty=True)
    return Tally(db, rules_from(settings), clock, timedelta(minutes=settings.pending_action_ttl_minutes),
                 policy=load_policy(settings.dunning_policy_file),
                 alert_thresholds=load_thresholds(settings.alerts_file))


MISSING_MODEL = ("No model is configured. Set TALLY_MODEL (and OPENAI_API_KEY, plus OPENAI_BASE_URL for a "
                 "server other than OpenAI) in the environment or .env.")


def chat_model(settings: Settings) -> ChatOpenAI:
    """OpenAI or any OpenAI-compatible server, from settings only."""
    from langchain_openai import ChatOpenAI

    if not settings.model:
        raise RuntimeError(MISSING_MODEL)
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return ChatOpenAI(
        model=settings.model, api_key=key, base_url=settings.openai_base_url, temperature=0,
        timeout=settings.model_timeout_s, max_retries=settings.model_retries, use_responses_api=False,
    )


def conversation(tally: Tally, settings: Settings) -> Conversation | None:
    """The agent when a model is configured; without one, Slack still answers commands."""
    if not settings.model_configured:
        return None
    return agent(tally, chat_model(settings), memory_messages=settings.memory_messages,
                 max_tool_calls=settings.max_tool_calls, timeout_s=settings.model_timeout_s)


def agent(tally: Tally, model: BaseChatModel, **options: Any) -> Conversation:
    """The agent on any chat model (the evals bring their own)."""
    from bot.agent.turn import Conversation

    return Conversation(tally, model, **options)


def secret(value: object) -> str:
    return value.get_secret_value().strip() if value is not None else ""


class SettingsProblem(Exception):
    """A missing or malformed setting, named, with what would work."""


def check_slack_settings(settings: Settings) -> None:
    token, signing, app_token = (secret(settings.slack_bot_token), secret(settings.slack_signing_secret),
                                 secret(settings.slack_app_token))
    if not token:
        raise SettingsProblem("SLACK_BOT_TOKEN is missing: set it to the app's Bot User OAuth Token (xoxb-...).")
    if not token.startswith("xoxb-") or token in ("xoxb-", "xoxb-..."):
        raise SettingsProblem("SLACK_BOT_TOKEN looks wrong: a bot token starts with xoxb- "
                              "(from OAuth & Permissions in the app's settings).")
    if app_token and (not app_token.startswith("xapp-") or app_token == "xapp-..."):
        raise SettingsProblem("SLACK_APP_TOKEN looks wrong: an app-level token starts with xapp- "
                              "(Basic Information → App-Level Tokens, scope connections:write).")
    if not app_token and (not signing or signing == "..."):
        raise SettingsProblem("SLACK_SIGNING_SECRET is missing: HTTP mode verifies every request with it "
                              "(Basic Information → Signing Secret). Or set SLACK_APP_TOKEN for Socket Mode.")

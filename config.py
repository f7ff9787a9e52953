"""Settings from the environment and `.env`; the one place configuration is read."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent
SECRETS = ("openai_api_key", "slack_bot_token", "slack_signing_secret", "slack_app_token")
PLACEHOLDER_WORDS = {"changeme", "changethis", "change-me", "your-key", "your-token", "todo", "xxx"}


def is_placeholder(text: str) -> bool:
    """'sk-...', 'xoxb-...', '...', 'changeme': text from an example file, not a real secret."""
    folded = text.strip().lower()
    return "..." in folded or "…" in folded or folded in PLACEHOLDER_WORDS or folded.startswith("<")


class SettingsError(SystemExit):
    """A setting that cannot work, named, with what would. A SystemExit, so the app stops at start
    with this message instead of a traceback."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # The embedded default is tally.db in the data folder (the project folder unless TALLY_DATA_DIR says
    # otherwise): the same file whatever the working directory.
    data_dir: Path = Field(ROOT, alias="TALLY_DATA_DIR")
    database_url: str = Field(default_factory=lambda data: f"sqlite:///{Path(data['data_dir']).resolve() / 'tally.db'}",
                              alias="DATABASE_URL")
    currency: str = Field("USD", alias="TALLY_CURRENCY")
    timezone: str = Field("UTC", alias="TALLY_TIMEZONE", description="used when a user's timezone is unknown")

    # the agent
    model: str | None = Field(None, alias="TALLY_MODEL")
    openai_api_key: SecretStr | None = Field(None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, alias="OPENAI_BASE_URL")
    model_timeout_s: float = Field(30.0, alias="TALLY_MODEL_TIMEOUT")
    model_retries: int = Field(2, alias="TALLY_MODEL_RETRIES")
    max_tool_calls: int = Field(4, alias="TALLY_MAX_TOOL_CALLS")
    memory_messages: int = Field(12, alias="TALLY_MEMORY_MESSAGES")  # each costs prompt tokens every turn

    # Slack
    slack_bot_token: SecretStr | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")
    port: int = Field(3000, alias="PORT")
    # how often a standby scheduler checks whether the one running the jobs is still there
    scheduler_retry_seconds: float = Field(15.0, alias="TALLY_SCHEDULER_RETRY_SECONDS", gt=0)
    # lists in messages as Slack's table block; off where the workspace's clients do not draw it
    slack_tables: bool = Field(True, alias="TALLY_SLACK_TABLES")

    # rules
    tax_rate: Decimal = Field(Decimal("0"), alias="TALLY_TAX_RATE", description="e.g. 0.08 for 8%")
    credit_max_days_overdue: int = Field(30, alias="TALLY_CREDIT_MAX_DAYS_OVERDUE")
    max_discount: Decimal = Field(Decimal("0.20"), alias="TALLY_MAX_DISCOUNT", ge=0, le=1,
                                  description="share below list price a rep may sell at without a manager")
    limit_manager_above: Decimal = Field(Decimal("50000"), alias="TALLY_LIMIT_MANAGER_ABOVE", ge=0,
                                         description="a credit limit raised above this needs a manager")
    credit_note_manager_above: Decimal = Field(Decimal("1000"), alias="TALLY_CREDIT_NOTE_MANAGER_ABOVE", ge=0,
                                               description="credit notes above this amount need a manager")
    # A bank payment of invoices it names, short by at most this (and, when the share is set, by at most that
    # share of what they owed), has its rest proposed for a write-off credit note; 0 proposes none.
    write_off_tolerance: Decimal = Field(Decimal("5.00"), alias="TALLY_WRITE_OFF_TOLERANCE", ge=0)
    write_off_share: Decimal = Field(Decimal("0"), alias="TALLY_WRITE_OFF_SHARE", ge=0, le=1,
                                     description="e.g. 0.01: at most 1% of what was owed; 0: no share limit")
    pending_action_ttl_minutes: int = Field(60 * 24, alias="TALLY_PENDING_TTL_MINUTES")
    dunning_policy_file: Path | None = Field(None, alias="TALLY_DUNNING_POLICY")
    alerts_file: Path | None = Field(None, alias="TALLY_ALERTS_FILE", description="alert thresholds, TOML")
    # Bank CSV exports name their columns as each bank likes: ours=theirs pairs, e.g. "date=Booking date,
    # amount=Amount,payer=Counterparty,reference=Description" (date, amount, payer, reference, iban).
    bank_csv_columns: str = Field("", alias="TALLY_BANK_CSV_COLUMNS")

    @property
    def bank_csv_mapping(self) -> dict[str, str]:
        pairs = (part.split("=", 1) for part in self.bank_csv_columns.split(",") if "=" in part)
        return {ours.strip().lower(): theirs.strip() for ours, theirs in pairs}

    # who issues the documents (invoice, receipt, statement): printed on each of them
    seller_name: str = Field("", alias="TALLY_SELLER_NAME")
    seller_address: str = Field("", alias="TALLY_SELLER_ADDRESS", description="as printed")
    seller_tax_id: str = Field("", alias="TALLY_SELLER_TAX_ID")
    seller_bank_details: str = Field("", alias="TALLY_SELLER_BANK", description="bank, account, IBAN/SWIFT")
    seller_country: str = Field("", alias="TALLY_SELLER_COUNTRY", pattern=r"^([A-Za-z]{2})?$",
                                description="ISO 3166 two-letter code, e.g. DE: the e-invoice needs it")

    # access monitoring: a day of reading is unusual above 3x the person's 30-day daily median and this floor
    read_alert_floor: int = Field(50, ge=1, alias="TALLY_READ_ALERT_FLOOR")

    @field_validator(*SECRETS, mode="before")
    @classmethod
    def _real_secret(cls, value: Any, info: ValidationInfo) -> Any:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(text, str) and not text.strip():
            return None  # `KEY=` in .env means unset
        if isinstance(text, str) and is_placeholder(text):
            name = cls.model_fields[info.field_name].alias
            raise ValueError(f"{name} is still a placeholder ({text.strip()!r}, as in .env.example): put the real "
                             f"value in .env, or comment the line out")
        return value

    @field_validator("database_url")
    @classmethod
    def _driver(cls, url: str) -> str:
        # psycopg 3 is the installed driver; accept the bare scheme people paste from their hosts.
        for bare in ("postgres://", "postgresql://"):
            if url.startswith(bare):
                return "postgresql+psycopg://" + url[len(bare):]
        return url

    @property
    def database_url_given(self) -> bool:
        """Whether DATABASE_URL was set; if not, this is the embedded default database."""
        return "database_url" in self.model_fields_set

    @property
    def model_configured(self) -> bool:
        return bool(self.model)


def settings_problems(exc: ValidationError) -> str:
    """Each bad setting by its environment name, with what would work."""
    lines = []
    for err in exc.errors():
        name = ".".join(str(p) for p in err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")
        lines.append(message if message.startswith(name) else f"{name}: {message}")
    return "Tally cannot start: " + "; ".join(lines) + "."


@lru_cache
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(settings_problems(exc)) from None

"""Argument and result pieces shared by several tools."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from core.dates import in_range, parse_date, parse_instant, parse_when
from core.errors import InvalidInput
from tools.messages import argument_label

# What a Numeric(14, 2) column holds: at most 999,999,999,999.99, in cents. A third decimal or a larger
# amount is refused (tools.messages says so in words), never rounded or cut.
Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]


def _relative_date(value: Any, info: ValidationInfo) -> Any:
    """Accept ISO dates and what people type ('tomorrow', 'next monday', '下周一') when today is known."""
    today = (info.context or {}).get("today")
    if isinstance(value, str) and today is not None:
        try:
            return parse_date(value, today)
        except InvalidInput as exc:
            raise ValueError(exc.message) from exc
    return value


def _relative_when(value: Any, info: ValidationInfo) -> Any:
    """What people type ("in 2 hours", "tomorrow 9am") becomes an absolute moment when a write is proposed.
    A confirmed proposal's stored arguments are that moment already: read as is, even once it has passed."""
    context = info.context or {}
    now = context.get("now_local")
    if not isinstance(value, str) or now is None:
        return value
    try:
        if context.get("stored"):
            stored = parse_instant(value)
            if stored is None:
                raise InvalidInput(f"The stored time {value!r} is not an ISO date-time.")
            return stored if stored.tzinfo else stored.replace(tzinfo=now.tzinfo)
        return parse_when(value, now)
    except InvalidInput as exc:
        raise ValueError(exc.message) from exc


def _kept(value: date, info: ValidationInfo) -> date:
    """A date the books can keep, however it came (ISO text, a date, a number of seconds)."""
    try:
        return in_range(value)
    except InvalidInput as exc:
        raise ValueError(exc.message) from exc


FlexDate = Annotated[date, BeforeValidator(_relative_date), AfterValidator(_kept)]
FlexDateTime = Annotated[datetime, BeforeValidator(_relative_when), AfterValidator(_kept)]

# Bounds every argument has, also where a field names none: the longest text any argument takes (ids,
# numbers, names, periods; notes and reasons say their own), and the largest whole number a database
# integer holds. Beyond them the request is refused in words, before SQL could fail on it.
MAX_TEXT = 200
MAX_INT = 2**63 - 1


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, str_max_length=MAX_TEXT)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any, info: ValidationInfo) -> Any:
        """PostgreSQL cannot store a NUL character: refused here, in words, on every text argument."""
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(f"{argument_label(info.field_name)} contains a NUL character (\\x00), which cannot "
                             "be stored; send it again without it")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _fits_an_integer_column(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            raise ValueError(f"{argument_label(info.field_name)} is far too large: at most {MAX_INT:,}")
        return value


class Result(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CustomerRef(Result):
    code: str
    name: str


class InvoiceLine(Result):
    """An invoice as lists show it."""

    number: str
    customer: CustomerRef
    issue_date: date
    due_date: date
    total: Money
    paid: Money
    balance: Money
    status: str
    days_overdue: int
    credited: Money = Decimal(0)  # what credit notes took off
    disputed: bool = False
    promised_on: date | None = None

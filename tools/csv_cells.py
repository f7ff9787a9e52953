"""How values are written to and read from CSV cells, so that `import` takes back exactly what `export`
wrote. Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) is written
with a leading apostrophe, and read back without it; numbers stay numbers. The readers turn a cell's
text into a typed value, or say what is wrong with it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from core.errors import InvalidInput
from core.money import parse_amount
from core.roles import Role

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
YES, NO = "yes", "no"
TRUE = {"yes", "y", "true", "1"}
FALSE = {"no", "n", "false", "0"}
MAX_AMOUNT = Decimal(10) ** 12  # Numeric(14, 2)


def _needs_quote(text: str) -> bool:
    if NUMBER.match(text):
        return False
    # Text that starts with the quote followed by what we would strip on reading is quoted too.
    return text.startswith(FORMULA_START) or (text.startswith(QUOTE) and text[1:2].startswith((*FORMULA_START, QUOTE)))


def to_cell(value: object) -> str:
    """The cell text for a value: empty for None, yes/no, ISO dates, plain numbers, safe text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, Decimal | int | date):
        return value.isoformat() if isinstance(value, date) else str(value)
    text = str(value)
    return QUOTE + text if _needs_quote(text) else text


def from_cell(cell: str | None) -> str:
    """The text of a cell as import reads it: trimmed, with the apostrophe that guards a formula removed."""
    text = (cell or "").strip()
    if text.startswith(QUOTE) and text[1:2] and text[1:2] in (*FORMULA_START, QUOTE):
        return text[1:]
    return text


def is_true(text: str) -> bool | None:
    """yes/no, true/false, y/n, 1/0 in any case; None for anything else."""
    word = text.strip().lower()
    return True if word in TRUE else False if word in FALSE else None


# --- readers of one non-empty cell, named after the column they read -----------------------------------

def text(width: int) -> Callable[[str, str], str]:
    def read(name: str, cell: str) -> str:
        if len(cell) > width:
            raise InvalidInput(f"{name} is longer than {width} characters.")
        return cell
    return read


def code(name: str, cell: str) -> str:
    return text(40)(name, cell.upper())


def member_id(name: str, cell: str) -> str:
    value = code(name, cell)
    if not value.startswith(("U", "W")) or not value.isalnum():
        raise InvalidInput(f"{name} {cell!r} does not look like a Slack user id (e.g. U0123ABCD).")
    return value


def amount(minimum: str) -> Callable[[str, str], Decimal]:
    """minimum "positive" (more than 0) or "zero" (not negative)."""
    def read(name: str, cell: str) -> Decimal:
        try:
            value = parse_amount(cell)
            digits = cell.replace(",", "").strip().lstrip("$€£¥").strip()
            exact = Decimal(digits[:-1]) * 1000 if digits[-1:] in ("k", "K") else Decimal(digits)
        except (ValueError, InvalidOperation):
            raise InvalidInput(f"{name} {cell!r} is not an amount.") from None
        if exact != value:
            raise InvalidInput(f"{name} {cell!r} has more than two decimals.")
        if abs(value) >= MAX_AMOUNT:
            raise InvalidInput(f"{name} {cell!r} is too large.")
        if minimum == "positive" and value <= 0:
            raise InvalidInput(f"{name} {value} must be more than 0.")
        if value < 0:
            raise InvalidInput(f"{name} {value} must not be negative.")
        return value
    return read


def whole(low: int, high: int) -> Callable[[str, str], int]:
    def read(name: str, cell: str) -> int:
        try:
            value = int(cell)
        except ValueError:
            raise InvalidInput(f"{name} {cell!r} is not a whole number.") from None
        if not low <= value <= high:
            raise InvalidInput(f"{name} {value} is not between {low} and {high}.")
        return value
    return read


def flag(name: str, cell: str) -> bool:
    value = is_true(cell)
    if value is None:
        raise InvalidInput(f"{name} {cell!r} is not yes or no.")
    return value


def day(name: str, cell: str) -> date:
    try:
        return date.fromisoformat(cell)
    except ValueError:
        raise InvalidInput(f"{name} {cell!r} is not a date (use YYYY-MM-DD).") from None


def timezone(name: str, cell: str) -> str:
    try:
        ZoneInfo(cell)
    except Exception:
        raise InvalidInput(f"{name} {cell!r} is not a timezone; use an IANA name like Europe/Paris.") from None
    return cell


def role(name: str, cell: str) -> str:
    try:
        return Role(cell.strip().lower()).value
    except ValueError:
        raise InvalidInput(f"{name} {cell!r} is not a role; use one of: {', '.join(r.value for r in Role)}.") from None

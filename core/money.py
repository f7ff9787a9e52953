"""Money is Decimal with two places, rounded half-up in one place: here."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, DecimalException

from core.errors import clip

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999999.99")  # the most a Numeric(14, 2) column holds
MAX_AMOUNT_TEXT = "999,999,999,999.99"


def money(value: Decimal | int | str) -> Decimal:
    """Coerce to a two-place Decimal. Floats are refused: they cannot hold cents exactly."""
    if isinstance(value, float):
        raise TypeError("money never comes from float; pass a str or Decimal")
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (DecimalException, ValueError) as exc:
        raise ValueError(f"not an amount: {clip(str(value))}") from exc


def _decimal(text: str) -> Decimal:
    cleaned = text.strip().replace(",", "").lstrip("$€£¥").strip()
    thousands = cleaned.lower().endswith("k")
    try:
        value = Decimal(cleaned[:-1] if thousands else cleaned)
        if not value.is_finite():
            raise ValueError
        return value.scaleb(3) if thousands else value  # scaleb cannot overflow into an exception
    except (DecimalException, ValueError):
        raise ValueError(f"{clip(text)!r} is not an amount") from None


def parse_amount(text: str) -> Decimal:
    """Read an amount as people type it: '1,250.50', '$1250', '1250', '5k', rounded to cents (files
    from other systems carry more places). Raises ValueError if unreadable."""
    return money(_decimal(text))


def amount_problem(value: Decimal, shown: str | None = None) -> str | None:
    """Why an amount cannot be booked as it is, in words, or None when it can."""
    shown = clip(shown or str(value))
    if not value.is_finite():
        return f"{shown} is not an amount"
    if value.copy_abs() > MAX_AMOUNT:  # copy_abs: no arithmetic, so 1e999999999 cannot overflow
        return f"{shown} is more than the books hold (at most {MAX_AMOUNT_TEXT})"
    cents = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if value != cents:
        return f"{shown} has more than 2 decimals; amounts are in cents, e.g. {fmt(cents or CENT)}"
    return None


def exact_amount(text: str) -> Decimal:
    """An amount someone typed, taken as it is or refused with the reason: never rounded, never larger
    than the books hold. Raises ValueError with a message for people."""
    value = _decimal(text)
    problem = amount_problem(value, text.strip())
    if problem:
        raise ValueError(problem)
    return money(value)


def fmt(amount: Decimal, currency: str | None = None) -> str:
    """'1,234.50' or '1,234.50 USD' (two decimals, thousands separators)."""
    text = f"{money(amount):,.2f}"
    return f"{text} {currency}" if currency else text


def ratio(numerator: Decimal, denominator: Decimal, places: str = "0.1") -> Decimal:
    """A rounded quotient for days and percentages; zero when the denominator is zero."""
    if not denominator:
        return Decimal(0).quantize(Decimal(places))
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), rounding=ROUND_HALF_UP)

"""Money is Decimal with two places, rounded half-up in one place: here."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str) -> Decimal:
    """Coerce to a two-place Decimal. Floats are refused: they cannot hold cents exactly."""
    if isinstance(value, float):
        raise TypeError("money never comes from float; pass a str or Decimal")
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


def parse_amount(text: str) -> Decimal:
    """Read an amount as people type it: '1,250.50', '$1250', '1250'. Raises ValueError if unreadable."""
    cleaned = text.strip().replace(",", "").lstrip("$€£¥").strip()
    if cleaned.lower().endswith("k"):
        return money(Decimal(cleaned[:-1] or "x") * 1000)
    return money(cleaned)


def fmt(amount: Decimal, currency: str | None = None) -> str:
    """'1,234.50' or '1,234.50 USD' (two decimals, thousands separators)."""
    text = f"{money(amount):,.2f}"
    return f"{text} {currency}" if currency else text


def ratio(numerator: Decimal, denominator: Decimal, places: str = "0.1") -> Decimal:
    """A rounded quotient for days and percentages; zero when the denominator is zero."""
    if not denominator:
        return Decimal(0).quantize(Decimal(places))
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), rounding=ROUND_HALF_UP)

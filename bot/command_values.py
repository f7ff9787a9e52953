"""Numbers as typed in a command: amounts (exact to the cent, within what the books hold, in the
books' currency) and quantities (whole and positive). Each refusal says what was wrong and what works."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from core.errors import InvalidInput
from core.money import exact_amount

# Codes people type after an amount. The books' own currency is always understood; these others are
# recognised so that "100 EUR" is refused rather than booked as 100 of the books' currency.
CURRENCIES = frozenset(
    "USD EUR GBP JPY CNY RMB CHF CAD AUD NZD HKD SGD INR KRW SEK NOK DKK PLN CZK HUF MXN BRL ZAR TRY AED "
    "SAR ILS THB TWD MYR IDR".split())
_NUMBER = re.compile(r"[-+]?[$€£¥]?(?=[\d.,]*\d)[\d,]*(\.\d*)?k?", re.IGNORECASE)


def is_number(token: str) -> bool:
    """Looks like a quantity or an amount (so it is one, and gets a precise message if it is a bad one)."""
    return bool(_NUMBER.fullmatch(token))


def amount(token: str, example: str, what: str = "amount") -> Decimal:
    """A positive amount, exactly as typed: '1,250.50', '$1250', '5k'."""
    try:
        value = exact_amount(token)
    except ValueError as exc:
        raise InvalidInput(f"{exc}.") from None
    if value <= 0:
        raise InvalidInput(f"The {what} must be more than 0, e.g. `{example}`.")
    return value


def is_currency(token: str, currency: str, shown_amount: str, example: str) -> bool:
    """True when the token is the books' currency code; another currency is refused, never converted."""
    code = token.upper()
    if code == currency.upper():
        return True
    if token.isalpha() and code in CURRENCIES:
        raise InvalidInput(f"The books are kept in {currency}, so {shown_amount} {code} cannot be booked as is. "
                           f"Give the amount in {currency}, e.g. `{example}`.")
    return False


def quantity(token: str, most: int, example: str) -> int:
    """A whole, positive number of units, at most `most` on one line."""
    try:
        value = Decimal(token.replace(",", ""))
    except InvalidOperation:
        raise InvalidInput(f"{token} is not a quantity; give a whole number, e.g. `{example}`.") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise InvalidInput(f"{token} is not a whole quantity; products are sold in whole units, e.g. `{example}`.")
    if value <= 0:
        raise InvalidInput(f"Quantity must be a positive whole number, not {token}.")
    if value > most:
        raise InvalidInput(f"{token} is more than one order line takes (at most {most:,}).")
    return int(value)

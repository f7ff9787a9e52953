"""The shipment commands of the `/tally` grammar: ship an order (all or part), record a delivery, look a
delivery note up. bot/grammar.py registers them with the others."""

from __future__ import annotations

from typing import Any

from bot.command_forms import Command, Typed, usage_error
from bot.command_values import is_number, quantity
from core.dates import parse_date
from tools.orders import MAX_QUANTITY

SHIP_WORDS = ("tracking", "carrier")


def _number(token: str, verb: str, example: str) -> str:
    """A document number has digits; "ship the Acme order" is plain language, not this command."""
    token = token.rstrip(",;")
    if not any(ch.isdigit() for ch in token):
        raise usage_error(verb, f"{token!r} is not a document number; write it like {example}.")
    return token


def _keywords(words: list[str], keys: tuple[str, ...], verb: str) -> dict[str, str]:
    """'tracking 1Z999 carrier DHL Express' -> {tracking: 1Z999, carrier: DHL Express}."""
    found: dict[str, str] = {}
    i = 0
    while i < len(words):
        key = words[i].lower()
        if key not in keys or key in found:
            raise usage_error(verb, f"Did not understand {' '.join(words[i:])!r}.")
        j = i + 1
        while j < len(words) and words[j].lower() not in keys:
            j += 1
        if j == i + 1:
            raise usage_error(verb, f"Give the {key} after the word {key}.")
        found[key] = " ".join(words[i + 1:j])
        i = j
    return found


def _ship(rest: list[str], at: Typed) -> Command:
    if not rest:
        raise usage_error("ship", "Which order?")
    args: dict[str, Any] = {"order_number": _number(rest[0], "ship", "SO-2026-00012")}
    words, lines = rest[1:], []
    while len(words) >= 2 and is_number(words[0]) and words[1].lower() not in SHIP_WORDS:
        lines.append({"sku": words[1].upper(),
                      "quantity": quantity(words[0], MAX_QUANTITY, f"ship {rest[0]} 2 {words[1]}")})
        words = words[2:]
    if lines:
        args["lines"] = lines
    args.update(_keywords(words, SHIP_WORDS, "ship"))
    return Command("ship_order", args)


def _delivered(rest: list[str], at: Typed) -> Command:
    if not rest:
        raise usage_error("delivered", "Which delivery note?")
    args: dict[str, Any] = {"delivery_number": _number(rest[0], "delivered", "DN-2026-00012")}
    words = ["signed-by" if w.lower() in ("signed-by", "signed_by", "signedby") else w for w in rest[1:]]
    found = _keywords(words, ("signed-by", "on"), "delivered")
    if "signed-by" in found:
        args["signed_by"] = found["signed-by"]
    if "on" in found:
        args["delivered_on"] = parse_date(found["on"], at.today).isoformat()
    return Command("confirm_delivery", args)


def _delivery(rest: list[str], at: Typed) -> Command:
    if len(rest) != 1:
        raise usage_error("delivery", "Give one delivery note or order number.")
    number = _number(rest[0], "delivery", "DN-2026-00012")
    field = "order_number" if number.upper().startswith("SO-") else "delivery_number"
    return Command("delivery_status", {field: number})


SHIPPING_PARSERS = {"ship": _ship, "delivered": _delivered, "delivery": _delivery}

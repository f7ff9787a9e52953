"""Figures a person typed, and figures nobody typed. A number that reaches a write, or a reply, without
the user having written it and without a tool having produced it is invented."""

from __future__ import annotations

import re
from decimal import Decimal

NUMBER = re.compile(r"(?<![\w.-])\d[\d,]*(?:\.\d+)?(k\b|万)?", re.IGNORECASE)
_CURRENCY_NUMBER = re.compile(r"[$€£¥]\s?\d|\d[\d,]*\.\d{2}\b|\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?\s?(?:k\b|万|元|块)",
                              re.IGNORECASE)


_WORDS = {word: n for n, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())} | {"a dozen": 12, "dozen": 12, "a couple": 2, "a pair": 2,
                                                            "a": 1, "an": 1, "single": 1}
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_WORD = re.compile(r"\b(" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def typed_numbers(text: str) -> set[Decimal]:
    """The numbers in what a person typed: 1,200 and 1200, 12k as 12000, 3万 as 30000, 0042 as 42, and
    small ones in words ("one widget", "a dozen", "三个")."""
    found = {Decimal(_WORDS[m[1].lower()]) for m in _WORD.finditer(text)}
    found |= {Decimal(_CN_DIGITS[ch]) for ch in text if ch in _CN_DIGITS}
    for m in NUMBER.finditer(text):
        digits = m[0].removesuffix(m[1] or "").replace(",", "")
        try:
            number = Decimal(digits)
        except ArithmeticError:
            continue
        scale = {"k": 1000, "万": 10000}.get((m[1] or "").lower(), 1)
        found.add((number * scale).normalize())
    return found


def numbers_in(value: object) -> list[Decimal]:
    """Every number in a tool's arguments, nested lines included; text that is a number counts too."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int | float | Decimal):
        return [Decimal(str(value)).normalize()]
    if isinstance(value, str):  # "1200" sent as text is a figure; "FT-2291" and dates are not
        return [Decimal(value).normalize()] if re.fullmatch(r"-?\d+(?:\.\d+)?", value.strip()) else []
    if isinstance(value, list | tuple):
        return [n for v in value for n in numbers_in(v)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in numbers_in(v)]
    return []


def untyped(numbers: list[Decimal], typed: str) -> list[Decimal]:
    known = typed_numbers(typed)
    return [n for n in numbers if n not in known]


def states_figures(reply: str, typed: str) -> bool:
    """Whether prose states business figures the user did not type: amounts (1,250.00, $300, 12k) or
    large numbers. Small counts and numbers the user wrote ("INV-2026-00042") are not figures."""
    known = typed_numbers(typed)
    if any(n not in known and n >= 100 for n in typed_numbers(reply)):
        return True
    return any(m[0] and not typed_numbers(m[0]) <= known for m in _CURRENCY_NUMBER.finditer(reply))

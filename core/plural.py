"""Counts in words: "1 day", "2 days", never "1 days"."""

from __future__ import annotations


def plural(count: int, word: str, words: str | None = None) -> str:
    """'1 day' / '3 days'; pass `words` where adding an s is wrong ('1 copy', '2 copies')."""
    return f"{count:,} {word if abs(count) == 1 else words or word + 's'}"


def days(count: int) -> str:
    return plural(count, "day")

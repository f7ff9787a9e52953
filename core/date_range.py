"""The dates the books keep, and the refusal that names them."""

from __future__ import annotations

from datetime import date, datetime

from core.errors import InvalidInput, clip

# The dates the books keep. Anything outside is a typo or an attack ("+99999999d", "0001-01-01"), and
# refused with the range rather than stored, overflowed or turned into a document numbered for year 1.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def out_of_range(text: str, day: date | None = None) -> InvalidInput:
    shown = f"{clip(text)!r} is {day.isoformat()}, which" if day is not None and str(day) != text else repr(clip(text))
    return InvalidInput(f"{shown} is outside the dates Tally keeps ({EARLIEST.isoformat()} to "
                        f"{LATEST.isoformat()}). Give a date in that range, e.g. 2026-12-01 or tomorrow.")


def in_range(day: date, text: str | None = None) -> date:
    """The date itself when the books can keep it; InvalidInput naming the range otherwise."""
    check = day.date() if isinstance(day, datetime) else day
    if not EARLIEST <= check <= LATEST:
        raise out_of_range(text if text is not None else day.isoformat(), check)
    return day

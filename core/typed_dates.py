"""Dates as people type them, in English and Chinese, read relative to a given "today"."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from core.date_range import in_range, out_of_range
from core.errors import InvalidInput, clip

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "wednesday"),
            ("thu", "thur", "thurs", "thursday"), ("fri", "friday"), ("sat", "saturday"), ("sun", "sunday"),
        )
    )
    for name in names
}
_CN_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_DAY_WORDS = {
    "today": 0, "tomorrow": 1, "yesterday": -1,
    "今天": 0, "今日": 0, "明天": 1, "后天": 2, "昨天": -1, "前天": -2,
}
DATE_FORMS = (
    "2026-12-01, today, tomorrow, +7d, in 2 weeks, friday, next monday, last friday, dec 1, "
    "1 dec 2026, the 15th, the 15th of next month, end of month, 明天, 下周一, 周五, 12月1日, "
    "2026年12月1日, 15号, 下个月15号, 月底"
)

_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_OFFSET = re.compile(r"([+-])\s*(\d+)\s*([dw])")
_IN_DAYS = re.compile(r"in\s+(\d+|an?|one)\s+(days?|weeks?)|(\d+)\s*(天|周|个星期|星期)后")
_WEEKDAY = re.compile(r"(?:(next|last)\s+)?([a-z]+)")
_MONTH_DAY = re.compile(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s+(\d{4}))?")
_DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?(?:\s+(\d{4}))?")
_CN_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]?")
_CN_WEEKDAY = re.compile(r"(下|上|这|本)?个?(?:周|星期|礼拜)([一二三四五六日天])")
_NTH = re.compile(r"(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?(?:\s+(this|next)\s+month)?")
_CN_NTH = re.compile(r"(下个?月|本月|这个月)?(\d{1,2})[号日]")
_MONTH_END = re.compile(r"(?:the\s+)?end\s+of\s+(?:the\s+)?(this|next)?\s*month|(下个?|本)?月底")
_FILLER = re.compile(r"^(?:by|on|before)\s+")


def normalise(text: str) -> str:
    # NFKC turns full-width digits and colons (１２：００) into ASCII; commas only separate words.
    folded = unicodedata.normalize("NFKC", text).strip().lower().replace(",", " ")
    return re.sub(r"\s+", " ", folded)


def _bad_date(text: str) -> InvalidInput:
    return InvalidInput(f"I can't read {clip(text)!r} as a date. Forms that work: {DATE_FORMS}.")


def _make_date(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise InvalidInput(f"{clip(text)!r} is not a real date.") from exc


def _month_day(text: str, month: int, day: int, year: str | None, today: date) -> date:
    if year:
        return _make_date(text, int(year), month, day)
    # Without a year: this year's, unless that is over nine months away, then the neighbouring
    # year's. So "jan 5" typed in late December is next January, "dec 1" in early January the last.
    try:
        this_year: date | None = date(today.year, month, day)
    except ValueError:  # 29 February outside a leap year, or no such day at all
        this_year = None
    if this_year is not None and abs((this_year - today).days) <= 270:
        return this_year
    neighbour = today.year + 1 if (month, day) < (today.month, today.day) else today.year - 1
    return _make_date(text, neighbour, month, day)


def _add_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _nth(text: str, day: int, which: str | None, today: date) -> date:
    """"the 15th": this month's if still ahead (or today), else next month's; "of next month" says so."""
    first = today.replace(day=1)
    if which is None:
        try:
            if date(today.year, today.month, day) >= today:
                return date(today.year, today.month, day)
        except ValueError:
            pass
        which = "next"
    month = _add_month(first) if which == "next" else first
    return _make_date(text, month.year, month.month, day)


def _next_weekday(today: date, weekday: int) -> date:
    """The first such weekday strictly after today."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def parse_date(text: str, today: date) -> date:
    """Read a user-typed date relative to `today`, within the dates the books keep; raises InvalidInput
    quoting the text otherwise."""
    try:
        return in_range(_read_date(text, today), text)
    except (OverflowError, ValueError):  # "+99999999999d": beyond what a date can hold at all
        raise out_of_range(text) from None


def _read_date(text: str, today: date) -> date:
    t = _FILLER.sub("", normalise(text))
    if t in _DAY_WORDS:
        return today + timedelta(days=_DAY_WORDS[t])
    if m := _ISO.fullmatch(t):
        return _make_date(text, int(m[1]), int(m[2]), int(m[3]))
    if m := _OFFSET.fullmatch(t):
        days = int(m[2]) * (7 if m[3] == "w" else 1)
        return today + timedelta(days=days if m[1] == "+" else -days)
    if m := _IN_DAYS.fullmatch(t):
        count, unit = (m[1], m[2]) if m[1] else (m[3], m[4])
        n = int(count) if count.isdigit() else 1
        return today + timedelta(days=n * (1 if unit.startswith(("day", "天")) else 7))
    if (m := _WEEKDAY.fullmatch(t)) and m[2] in WEEKDAYS:
        if m[1] == "last":
            return today - timedelta(days=(today.weekday() - WEEKDAYS[m[2]] - 1) % 7 + 1)
        return _next_weekday(today, WEEKDAYS[m[2]])
    if (m := _MONTH_DAY.fullmatch(t)) and m[1] in MONTHS:
        return _month_day(text, MONTHS[m[1]], int(m[2]), m[3], today)
    if (m := _DAY_MONTH.fullmatch(t)) and m[2] in MONTHS:
        return _month_day(text, MONTHS[m[2]], int(m[1]), m[3], today)
    if m := _CN_DATE.fullmatch(t):
        return _month_day(text, int(m[2]), int(m[3]), m[1], today)
    if not t.isdigit() and (m := _NTH.fullmatch(t)):  # a bare "15" is too likely something else
        return _nth(text, int(m[1]), m[2], today)
    if m := _CN_NTH.fullmatch(t):
        return _nth(text, int(m[2]), {None: None, "下月": "next", "下个月": "next"}.get(m[1], "this"), today)
    if m := _MONTH_END.fullmatch(t):
        month = _add_month(today.replace(day=1)) if (m[1] == "next" or (m[2] or "").startswith("下")) else today
        return _add_month(month.replace(day=1)) - timedelta(days=1)
    if m := _CN_WEEKDAY.fullmatch(t):
        weekday = _CN_WEEKDAYS[m[2]]
        if not m[1]:  # 周五: the next Friday
            return _next_weekday(today, weekday)
        # 下周五 is Friday of next calendar week (Monday-based), 上周五 of last week, 本周五 of this one.
        week_shift = {"下": 7, "上": -7}.get(m[1], 0)
        return today - timedelta(days=today.weekday()) + timedelta(days=week_shift + weekday)
    raise _bad_date(text)

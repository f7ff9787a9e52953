"""Reporting periods as people name them: this month, last quarter, 2026-Q3, 上个月..."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from core.dates import MONTHS, in_range, out_of_range, parse_date
from core.errors import InvalidInput, clip
from core.metrics import days_in_period

PERIOD_FORMS = (
    "this-month (mtd), last-month, this-week, last-week, this-quarter (qtd), last-quarter, this-year (ytd), "
    "last-year, last-30-days, last-90-days, last-12-months, 2026-10, oct 2026, march, 2026-Q3, Q3, H1, "
    "2026-H2, since march, since 2026-03-15, 2026, 本月, 上个月, 本周, 上周, 本季度, 上季度, 第三季度, "
    "今年, 去年, 今年上半年, 去年下半年"
)
_CN_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_CN_QUARTER = re.compile(r"(?:(\d{4})年|(今年|去年))?第?([一二三四1-4])季度")
_CN_HALF = re.compile(r"(?:(\d{4})年|(今年|去年))?([上下])半年")
_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput(f"the period {self.label!r} ends before it starts")

    @property
    def days(self) -> int:
        return days_in_period(self.start, self.end)


def _month_end(year: int, month: int) -> date:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def _month(year: int, month: int) -> Period:
    return Period(date(year, month, 1), _month_end(year, month), f"{_ABBR[month - 1]} {year}")


def _quarter(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    return Period(date(year, first, 1), _month_end(year, first + 2), f"Q{quarter} {year}")


def _year(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), str(year))


def _half(year: int, half: int) -> Period:
    return Period(date(year, 6 * half - 5, 1), _month_end(year, 6 * half), f"H{half} {year}")


def _latest(make, today: date, *args: int) -> Period:
    """A period named without a year is the latest one that has begun: Q3 in November is this year's,
    H2 in March last year's. The current one runs to today."""
    period = make(today.year, *args)
    if period.start > today:
        period = make(today.year - 1, *args)
    return _to_date(period, today) if period.end > today else period


def _cn_year(digits: str | None, word: str | None, today: date) -> int | None:
    if digits:
        return int(digits)
    return {"今年": today.year, "去年": today.year - 1}.get(word or "")


def _to_date(whole: Period, today: date) -> Period:
    # The current month, quarter or year runs to today: days not yet lived have no sales or AR.
    return Period(whole.start, today, f"{whole.label} to date")


def _months_back(year: int, month: int, back: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) - back
    return index // 12, index % 12 + 1


def _named(key: str, today: date) -> Period | None:
    quarter = (today.month - 1) // 3 + 1
    if key in ("this-month", "month", "mtd", "本月", "这个月"):
        return _to_date(_month(today.year, today.month), today)
    if key in ("last-month", "上个月", "上月"):
        return _month(*_months_back(today.year, today.month, 1))
    if key in ("this-quarter", "quarter", "qtd", "本季度", "这个季度"):
        return _to_date(_quarter(today.year, quarter), today)
    if key in ("last-quarter", "上季度", "上个季度"):
        return _quarter(today.year, quarter - 1) if quarter > 1 else _quarter(today.year - 1, 4)
    if key in ("this-year", "year", "ytd", "今年"):
        return _to_date(_year(today.year), today)
    if key in ("last-year", "去年"):
        return _year(today.year - 1)
    monday = today - timedelta(days=today.weekday())
    if key in ("this-week", "week", "wtd", "本周", "这周"):
        return Period(monday, today, "This week to date")
    if key in ("last-week", "上周"):
        return Period(monday - timedelta(days=7), monday - timedelta(days=1), "Last week")
    if m := re.fullmatch(r"last-(\d+)-days", key):
        days = int(m[1])
        if days < 1:
            return None
        return Period(today - timedelta(days=days - 1), today, f"Last {days} days")
    if key == "last-12-months":
        # Eleven whole months and this one to date, so it lines up with month_periods(today, 12).
        year, month = _months_back(today.year, today.month, 11)
        return Period(date(year, month, 1), today, "Last 12 months")
    return None


def parse_period(text: str, today: date) -> Period:
    """Read a period name relative to `today`, within the dates the books keep; raises InvalidInput
    listing examples otherwise."""
    try:
        period = _read_period(text, today)
    except (OverflowError, ValueError):  # "last-99999999999-days", "0000-01": no such date at all
        raise out_of_range(text) from None
    in_range(period.start, text)
    in_range(period.end, text)
    return period


def _read_period(text: str, today: date) -> Period:
    key = re.sub(r"[\s_]+", "-", text.strip().lower())
    if (named := _named(key, today)) is not None:
        return named
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})|(\d{4})年(\d{1,2})月", key):
        year, month = int(m[1] or m[3]), int(m[2] or m[4])
        if 1 <= month <= 12:
            return _month(year, month)
    if (m := re.fullmatch(r"([a-z]+)\.?-(\d{4})", key)) and m[1] in MONTHS:
        return _month(int(m[2]), MONTHS[m[1]])
    if m := re.fullmatch(r"(\d{4})-?q([1-4])|q([1-4])-(\d{4})", key):
        return _quarter(int(m[1] or m[4]), int(m[2] or m[3]))
    if m := re.fullmatch(r"(\d{4})-?h([12])|h([12])-(\d{4})", key):
        return _half(int(m[1] or m[4]), int(m[2] or m[3]))
    if m := re.fullmatch(r"q([1-4])|(first|second|third|fourth)-quarter", key):
        return _latest(_quarter, today, int(m[1]) if m[1] else ("first", "second", "third", "fourth").index(m[2]) + 1)
    if m := re.fullmatch(r"h([12])|(first|second)-half", key):
        return _latest(_half, today, int(m[1]) if m[1] else 1 + (m[2] == "second"))
    if key in MONTHS:  # "march": the latest March that has begun
        return _latest(_month, today, MONTHS[key])
    if m := _CN_QUARTER.fullmatch(key):
        year = _cn_year(m[1], m[2], today)
        quarter = _CN_NUMBERS[m[3]]
        return _latest(_quarter, today, quarter) if year is None else _quarter(year, quarter)
    if m := _CN_HALF.fullmatch(key):
        year, half = _cn_year(m[1], m[2], today), 1 if m[3] == "上" else 2
        return _latest(_half, today, half) if year is None else _half(year, half)
    if since := re.fullmatch(r"(?:since|from)-(.+)|(.+)(?:以来|至今)", key):
        return _since(since[1] or since[2], text, today)
    if m := re.fullmatch(r"(\d{4})年?", key):
        return _year(int(m[1]))
    raise InvalidInput(f"I don't know the period {clip(text)!r}. Try one of: {PERIOD_FORMS}.")


def _since(start_text: str, text: str, today: date) -> Period:
    """"since march", "since 2026-03-15", "3月以来": from that day (or month's first day) to today."""
    words = start_text.replace("-", " ").strip()
    month = MONTHS.get(words) or (int(m[1]) if (m := re.fullmatch(r"(\d{1,2})月份?", words)) else None)
    if month and 1 <= month <= 12:
        start = _latest(_month, today, month).start
    else:
        try:
            start = parse_date(start_text if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", start_text) else words, today)
        except InvalidInput:
            raise InvalidInput(f"I don't know the period {clip(text)!r}. Try one of: {PERIOD_FORMS}.") from None
        if start > today:  # "since dec 5" typed on 1 Dec means last year's
            start = start - timedelta(days=365)
    return Period(start, today, f"Since {start.isoformat()}")


def month_periods(end: date, count: int) -> list[Period]:
    """`count` calendar months ending with the one containing `end` (which runs to `end`), newest first."""
    if count < 1:
        raise InvalidInput("ask for at least one month")
    periods = [_to_date(_month(end.year, end.month), end)]
    for back in range(1, count):
        periods.append(_month(*_months_back(end.year, end.month, back)))
    return periods


def previous_period(period: Period) -> Period:
    """The period of the same number of days that ends the day before `period` starts."""
    end = period.start - timedelta(days=1)
    start = end - timedelta(days=period.days - 1)
    return Period(start, end, f"{start.isoformat()} to {end.isoformat()}")

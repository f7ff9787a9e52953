"""Moments as people type them ("tomorrow 9am", "下午3点", "in 2 hours"), read in the timezone of a
given "now"; and ISO date-times as the code writes them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from core.date_range import in_range, out_of_range
from core.errors import InvalidInput, clip
from core.typed_dates import DATE_FORMS, normalise, parse_date

TIME_FORMS = "9am, 2:30pm, 14:00, 上午9点, 下午3点半, in 2 hours, in 30 minutes, 2026-12-01T09:00"

_IN_TIME = re.compile(r"in\s+(\d+|an?|one)\s+(hours?|hrs?|h|minutes?|mins?|m)|(\d+)\s*个?(小时|分钟)后")
# What people type and what the code itself writes (isoformat(), pydantic's JSON): fractional seconds,
# an offset (+00:00, +0000, +08) or Z.
_ISO_DATETIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})[t ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"\s*(z|utc|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?"
)
_CN_HOUR = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
            "十": 10, "十一": 11, "十二": 12}
# English: "9am", "2:30 pm", "at 14:00" — a bare number is not a time (it is the day in "dec 1").
_EN_TIME_END = re.compile(
    r"(?:\bat\s*|@\s*)?(?<!\d)(?P<h>\d{1,2})(?:(?::(?P<m>\d{2}))?\s*(?P<ap>am|pm)|:(?P<m2>\d{2}))$"
)
_EN_TIME_START = re.compile(r"(?:at\s+)?(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ap>am|pm)\s+")
_CN_TIME_END = re.compile(
    r"(?P<pre>上午|早上|早晨|凌晨|中午|下午|傍晚|晚上)?\s*"
    r"(?P<h>\d{1,2}|十[一二]?|[一二两三四五六七八九十])(?:[点點时](?:(?P<half>半)|(?P<m>\d{1,2})分?)?"
    r"|:(?P<m2>\d{2}))$"
)


def _bad_time(text: str) -> InvalidInput:
    return InvalidInput(
        f"I can't read {clip(text)!r} as a date and time. Times that work: {TIME_FORMS}; "
        f"dates that work: {DATE_FORMS}."
    )


def _clock(text: str, m: re.Match[str]) -> time:
    groups = m.groupdict()
    raw_hour = groups["h"]
    hour = int(raw_hour) if raw_hour.isdigit() else _CN_HOUR[raw_hour]
    minute = int(groups.get("m") or groups.get("m2") or (30 if groups.get("half") else 0))
    ampm, pre = groups.get("ap"), groups.get("pre")
    if ampm:
        if not 1 <= hour <= 12:
            raise _bad_time(text)
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    elif pre in ("下午", "傍晚", "晚上") and hour < 12:
        hour += 12
    elif pre == "中午" and hour < 11:  # 中午1点 is 13:00, 中午12点 is noon
        hour += 12
    if hour > 23 or minute > 59:
        raise _bad_time(text)
    return time(hour, minute)


def _split_time(t: str) -> tuple[str, re.Match[str] | None]:
    """Separate a trailing (or, in English, leading) time of day from the date words."""
    for pattern in (_EN_TIME_END, _CN_TIME_END):
        if m := pattern.search(t):
            return t[: m.start()].strip(), m
    if m := _EN_TIME_START.match(t):
        return t[m.end():].strip(), m
    return t, None


def _at(day: date, clock: time, tz: tzinfo) -> datetime:
    # A round trip through UTC moves a wall time that DST skips (02:30 on spring-forward) onto a real one.
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC).astimezone(tz)


def _offset(text: str) -> tzinfo:
    if text in ("z", "utc"):
        return UTC
    digits = text[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0), seconds=int(digits[4:6] or 0))
    return timezone(-delta if text[0] == "-" else delta)


def parse_instant(text: str) -> datetime | None:
    """An ISO date-time, as typed or as written by the code; aware when it names an offset, else naive.
    None when the text is not of that form; InvalidInput when it is, but names no real moment."""
    m = _ISO_DATETIME.fullmatch(normalise(text))
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g or 0) for g in m.groups()[:6])
    micro = int((m[7] or "0")[:6].ljust(6, "0"))
    try:
        when = datetime(year, month, day, hour, minute, second, micro)
        return when.replace(tzinfo=_offset(m[8])) if m[8] else when
    except ValueError as exc:  # 2026-02-30, 25:00, or an offset of a day or more
        raise InvalidInput(f"{clip(text)!r} is not a real date and time.") from exc


def parse_when(text: str, now: datetime, default_time: time = time(9, 0)) -> datetime:
    """Read a user-typed moment in the future, in `now`'s timezone; raises InvalidInput otherwise.

    A date alone means `default_time` that day; a time alone means today if still ahead, else tomorrow.
    """
    tz = now.tzinfo
    if tz is None or now.utcoffset() is None:
        raise InvalidInput("parse_when needs an aware 'now'")
    try:
        when = _read_when(text, now, default_time)
    except (OverflowError, ValueError):  # "in 99999999999 hours": beyond what a date can hold at all
        raise out_of_range(text) from None
    in_range(when.date(), text)
    if when < now:
        raise InvalidInput(
            f"{clip(text)!r} is {when:%Y-%m-%d %H:%M}, which is already past. "
            "Pick a later time, like 'tomorrow 9am' or 'in 2 hours'."
        )
    return when


def _read_when(text: str, now: datetime, default_time: time) -> datetime:
    tz = now.tzinfo
    t = normalise(text)
    if m := _IN_TIME.fullmatch(t):
        count, unit = (m[1], m[2]) if m[1] else (m[3], m[4])
        n = int(count) if count.isdigit() else 1
        delta = timedelta(hours=n) if unit[0] in "h小" else timedelta(minutes=n)
        # Elapsed time is counted in UTC: wall-clock arithmetic would be an hour off across a DST change.
        # Whole minutes: the moment stored is the one the confirmation card shows.
        return (now.astimezone(UTC) + delta).replace(second=0, microsecond=0).astimezone(tz)
    if (parsed := parse_instant(t)) is not None:
        when = parsed.astimezone(tz) if parsed.tzinfo else _at(parsed.date(), parsed.time(), tz)
    else:
        date_part, clock_match = _split_time(t)
        date_part = re.sub(r"\s*\bat$", "", date_part)
        clock = _clock(text, clock_match) if clock_match else default_time
        if not date_part and clock_match:
            when = _at(now.date(), clock, tz)
            if when < now:
                when = _at(now.date() + timedelta(days=1), clock, tz)
        else:
            try:
                day = parse_date(date_part, now.astimezone(tz).date())
            except InvalidInput:
                raise _bad_time(text) from None
            when = _at(day, clock, tz)
    return when

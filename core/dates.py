"""Dates and times as people type them, in English and Chinese. "Today" and "now" are always given."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

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
TIME_FORMS = "9am, 2:30pm, 14:00, 上午9点, 下午3点半, in 2 hours, in 30 minutes, 2026-12-01T09:00"

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


def _normalise(text: str) -> str:
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
    t = _FILLER.sub("", _normalise(text))
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


# --- times ----------------------------------------------------------------------------------------

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
    m = _ISO_DATETIME.fullmatch(_normalise(text))
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
    t = _normalise(text)
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

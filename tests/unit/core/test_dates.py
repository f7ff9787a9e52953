from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.dates import parse_date, parse_when
from core.errors import InvalidInput

TODAY = date(2026, 6, 10)  # a Wednesday
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 6, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("2026/12/01", date(2026, 12, 1)),
        ("2026-12-1", date(2026, 12, 1)),
        ("today", TODAY),
        (" Today ", TODAY),
        ("tomorrow", date(2026, 6, 11)),
        ("yesterday", date(2026, 6, 9)),
        ("+7d", date(2026, 6, 17)),
        ("-3d", date(2026, 6, 7)),
        ("+2w", date(2026, 6, 24)),
        ("in 3 days", date(2026, 6, 13)),
        ("in 1 day", date(2026, 6, 11)),
        ("in 2 weeks", date(2026, 6, 24)),
        ("in a week", date(2026, 6, 17)),
        # weekdays: the next one strictly after today
        ("monday", date(2026, 6, 15)),
        ("mon", date(2026, 6, 15)),
        ("friday", date(2026, 6, 12)),
        ("Fri", date(2026, 6, 12)),
        ("wednesday", date(2026, 6, 17)),
        ("sunday", date(2026, 6, 14)),
        ("next monday", date(2026, 6, 15)),
        ("next friday", date(2026, 6, 12)),
        ("last friday", date(2026, 6, 5)),
        ("last wednesday", date(2026, 6, 3)),
        # month names
        ("dec 1", date(2026, 12, 1)),
        ("Dec 1st", date(2026, 12, 1)),
        ("1 dec", date(2026, 12, 1)),
        ("december 1 2026", date(2026, 12, 1)),
        ("December 1, 2027", date(2027, 12, 1)),
        ("1 december 2026", date(2026, 12, 1)),
        ("jan 5", date(2026, 1, 5)),
        ("sept 30", date(2026, 9, 30)),
        # Chinese
        ("今天", TODAY),
        ("明天", date(2026, 6, 11)),
        ("后天", date(2026, 6, 12)),
        ("昨天", date(2026, 6, 9)),
        ("前天", date(2026, 6, 8)),
        ("3天后", date(2026, 6, 13)),
        ("2周后", date(2026, 6, 24)),
        ("周五", date(2026, 6, 12)),
        ("周三", date(2026, 6, 17)),
        ("星期天", date(2026, 6, 14)),
        ("周日", date(2026, 6, 14)),
        # 下周X is day X of next calendar week (Mon 15 – Sun 21 June)
        ("下周一", date(2026, 6, 15)),
        ("下星期一", date(2026, 6, 15)),
        ("下个星期一", date(2026, 6, 15)),
        ("下周五", date(2026, 6, 19)),
        ("下周日", date(2026, 6, 21)),
        ("下礼拜三", date(2026, 6, 17)),
        ("上周五", date(2026, 6, 5)),
        ("本周五", date(2026, 6, 12)),
        ("12月1日", date(2026, 12, 1)),
        ("12月1号", date(2026, 12, 1)),
        ("2026年12月1日", date(2026, 12, 1)),
        ("２０２６年１２月１日", date(2026, 12, 1)),  # full-width digits
    ],
)
def test_parse_date_forms(text, expected):
    assert parse_date(text, TODAY) == expected


def test_weekday_on_the_same_weekday_is_a_week_away():
    friday = date(2026, 6, 12)
    assert parse_date("friday", friday) == date(2026, 6, 19)
    assert parse_date("last friday", friday) == date(2026, 6, 5)
    assert parse_date("周五", friday) == date(2026, 6, 19)
    assert parse_date("下周五", friday) == date(2026, 6, 19)


def test_next_calendar_week_from_a_sunday():
    sunday = date(2026, 6, 14)
    assert parse_date("下周一", sunday) == date(2026, 6, 15)
    assert parse_date("周一", sunday) == date(2026, 6, 15)


def test_a_month_and_day_without_year_picks_the_sensible_year():
    # late December: "jan 5" is next month, not eleven months ago
    assert parse_date("jan 5", date(2026, 12, 20)) == date(2027, 1, 5)
    assert parse_date("1月5日", date(2026, 12, 20)) == date(2027, 1, 5)
    # early January: "dec 1" is five weeks ago, not eleven months ahead
    assert parse_date("dec 1", date(2026, 1, 10)) == date(2025, 12, 1)
    # within nine months either way it is this year's
    assert parse_date("dec 1", date(2026, 3, 10)) == date(2026, 12, 1)
    assert parse_date("feb 29", date(2028, 6, 1)) == date(2028, 2, 29)


@pytest.mark.parametrize("text", ["", "someday", "next blursday", "13/45", "dec", "in three days"])
def test_unreadable_dates_quote_the_text_and_list_forms(text):
    with pytest.raises(InvalidInput) as caught:
        parse_date(text, TODAY)
    assert repr(text) in caught.value.message
    assert "2026-12-01" in caught.value.message and "下周一" in caught.value.message


@pytest.mark.parametrize("text", ["2026-02-30", "feb 30 2026", "13月1日", "2026-13-01"])
def test_impossible_dates_are_refused(text):
    with pytest.raises(InvalidInput, match="not a real date"):
        parse_date(text, TODAY)


# --- parse_when -----------------------------------------------------------------------------------

def sh(*args):
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow", sh(2026, 6, 11, 9, 0)),
        ("tomorrow 9am", sh(2026, 6, 11, 9, 0)),
        ("tomorrow at 9:30", sh(2026, 6, 11, 9, 30)),
        ("Tomorrow 2 PM", sh(2026, 6, 11, 14, 0)),
        ("9am tomorrow", sh(2026, 6, 11, 9, 0)),
        ("friday 2:30pm", sh(2026, 6, 12, 14, 30)),
        ("dec 1 14:00", sh(2026, 12, 1, 14, 0)),
        ("dec 1", sh(2026, 12, 1, 9, 0)),
        ("+7d 8am", sh(2026, 6, 17, 8, 0)),
        ("2026-12-01 9am", sh(2026, 12, 1, 9, 0)),
        ("2026/12/01 09:00", sh(2026, 12, 1, 9, 0)),
        ("2026-12-01T09:00", sh(2026, 12, 1, 9, 0)),
        ("2026-12-01 09:00", sh(2026, 12, 1, 9, 0)),
        ("2026-12-01T01:00Z", sh(2026, 12, 1, 9, 0)),
        ("2026-12-01T09:00-05:00", sh(2026, 12, 1, 22, 0)),
        # bare times: today if still ahead, else tomorrow
        ("14:00", sh(2026, 6, 10, 14, 0)),
        ("2pm", sh(2026, 6, 10, 14, 0)),
        ("9am", sh(2026, 6, 11, 9, 0)),
        ("12pm", sh(2026, 6, 10, 12, 0)),
        ("12am", sh(2026, 6, 11, 0, 0)),
        ("in 2 hours", sh(2026, 6, 10, 12, 0)),
        ("in an hour", sh(2026, 6, 10, 11, 0)),
        ("in 30 minutes", sh(2026, 6, 10, 10, 30)),
        ("in 45 mins", sh(2026, 6, 10, 10, 45)),
        # Chinese
        ("明天上午9点", sh(2026, 6, 11, 9, 0)),
        ("明天 下午3点", sh(2026, 6, 11, 15, 0)),
        ("明天下午三点", sh(2026, 6, 11, 15, 0)),
        ("下午3点半", sh(2026, 6, 10, 15, 30)),
        ("下午3点15分", sh(2026, 6, 10, 15, 15)),
        ("晚上8点", sh(2026, 6, 10, 20, 0)),
        ("中午12点", sh(2026, 6, 10, 12, 0)),
        ("上午9点", sh(2026, 6, 11, 9, 0)),
        ("下周一 上午10点", sh(2026, 6, 15, 10, 0)),
        ("12月1日下午2点", sh(2026, 12, 1, 14, 0)),
        ("明天15:30", sh(2026, 6, 11, 15, 30)),
        ("2小时后", sh(2026, 6, 10, 12, 0)),
        ("30分钟后", sh(2026, 6, 10, 10, 30)),
    ],
)
def test_parse_when_forms(text, expected):
    when = parse_when(text, NOW)
    assert when == expected
    assert when.utcoffset() == timedelta(hours=8)


def test_default_time_applies_to_a_date_alone():
    assert parse_when("tomorrow", NOW, default_time=time(15, 0)) == sh(2026, 6, 11, 15, 0)


def test_result_is_in_the_users_zone():
    assert parse_when("tomorrow 9am", NOW).tzinfo is SHANGHAI


@pytest.mark.parametrize("text", ["yesterday 9am", "today", "today 8am", "2026-06-10 09:59", "last friday"])
def test_past_times_are_refused(text):
    with pytest.raises(InvalidInput, match="already past"):
        parse_when(text, NOW)


@pytest.mark.parametrize("text", ["13pm", "25:00", "9:75", "banana", "tomorrow at noonish", "下午25点"])
def test_unreadable_times_are_refused(text):
    with pytest.raises(InvalidInput) as caught:
        parse_when(text, NOW)
    assert repr(text) in caught.value.message


def test_naive_now_is_refused():
    with pytest.raises(InvalidInput):
        parse_when("tomorrow", datetime(2026, 6, 10, 10, 0))


def test_dst_change_in_new_york():
    now = datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK)  # Saturday, EST; clocks go forward Sunday 02:00
    tomorrow = parse_when("tomorrow 9am", now)
    assert tomorrow.utcoffset() == timedelta(hours=-4)
    assert tomorrow.astimezone(UTC) == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)
    # 02:30 does not exist that night: it becomes 03:30 EDT, the same instant as 02:30 EST would be
    skipped = parse_when("tomorrow 2:30am", now)
    assert (skipped.hour, skipped.minute, skipped.utcoffset()) == (3, 30, timedelta(hours=-4))


def test_hours_from_now_count_elapsed_time_across_dst():
    now = datetime(2026, 3, 8, 1, 30, tzinfo=NEW_YORK)  # EST, half an hour before the change
    later = parse_when("in 1 hour", now)
    assert later.astimezone(UTC) - now.astimezone(UTC) == timedelta(hours=1)
    assert (later.hour, later.minute) == (3, 30)


@pytest.mark.parametrize("text, expected", [
    ("the 15th of next month", date(2026, 7, 15)),
    ("by the 15th of next month", date(2026, 7, 15)),
    ("the 15th", date(2026, 6, 15)),  # still ahead this month
    ("the 5th", date(2026, 7, 5)),  # already past: next month's
    ("by friday", date(2026, 6, 12)),
    ("end of month", date(2026, 6, 30)),
    ("end of next month", date(2026, 7, 31)),
    ("下个月15号", date(2026, 7, 15)),
    ("15号", date(2026, 6, 15)),
    ("下月底", date(2026, 7, 31)),
])
def test_days_of_the_month_in_words(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["15", "the 32nd", "the 31st of next month"])  # June has 30 days: July has 31
def test_day_of_month_edge_cases(text):
    if text == "the 31st of next month":
        assert parse_date(text, TODAY) == date(2026, 7, 31)
    else:
        with pytest.raises(InvalidInput):
            parse_date(text, TODAY)

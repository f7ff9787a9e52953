from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import InvalidInput
from core.periods import Period, month_periods, parse_period, previous_period

TODAY = date(2026, 6, 10)  # Q2


def span(p):
    return (p.start, p.end)


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("this-month", date(2026, 6, 1), TODAY, "Jun 2026 to date"),
        ("this month", date(2026, 6, 1), TODAY, "Jun 2026 to date"),
        ("month", date(2026, 6, 1), TODAY, "Jun 2026 to date"),
        ("MTD", date(2026, 6, 1), TODAY, "Jun 2026 to date"),
        ("last-month", date(2026, 5, 1), date(2026, 5, 31), "May 2026"),
        ("last month", date(2026, 5, 1), date(2026, 5, 31), "May 2026"),
        ("this-quarter", date(2026, 4, 1), TODAY, "Q2 2026 to date"),
        ("quarter", date(2026, 4, 1), TODAY, "Q2 2026 to date"),
        ("qtd", date(2026, 4, 1), TODAY, "Q2 2026 to date"),
        ("last-quarter", date(2026, 1, 1), date(2026, 3, 31), "Q1 2026"),
        ("this-year", date(2026, 1, 1), TODAY, "2026 to date"),
        ("year", date(2026, 1, 1), TODAY, "2026 to date"),
        ("ytd", date(2026, 1, 1), TODAY, "2026 to date"),
        ("last-year", date(2025, 1, 1), date(2025, 12, 31), "2025"),
        ("last-30-days", date(2026, 5, 12), TODAY, "Last 30 days"),
        ("last 90 days", date(2026, 3, 13), TODAY, "Last 90 days"),
        ("last-12-months", date(2025, 7, 1), TODAY, "Last 12 months"),
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31), "Oct 2026"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "Feb 2024"),
        ("oct 2026", date(2026, 10, 1), date(2026, 10, 31), "Oct 2026"),
        ("October 2026", date(2026, 10, 1), date(2026, 10, 31), "Oct 2026"),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "Q3 2026"),
        ("2026q4", date(2026, 10, 1), date(2026, 12, 31), "Q4 2026"),
        ("Q1 2026", date(2026, 1, 1), date(2026, 3, 31), "Q1 2026"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        ("本月", date(2026, 6, 1), TODAY, "Jun 2026 to date"),
        ("上个月", date(2026, 5, 1), date(2026, 5, 31), "May 2026"),
        ("上月", date(2026, 5, 1), date(2026, 5, 31), "May 2026"),
        ("本季度", date(2026, 4, 1), TODAY, "Q2 2026 to date"),
        ("上季度", date(2026, 1, 1), date(2026, 3, 31), "Q1 2026"),
        ("今年", date(2026, 1, 1), TODAY, "2026 to date"),
        ("去年", date(2025, 1, 1), date(2025, 12, 31), "2025"),
        ("2026年10月", date(2026, 10, 1), date(2026, 10, 31), "Oct 2026"),
        ("2025年", date(2025, 1, 1), date(2025, 12, 31), "2025"),
    ],
)
def test_parse_period_forms(text, start, end, label):
    period = parse_period(text, TODAY)
    assert (period.start, period.end, period.label) == (start, end, label)


def test_periods_across_the_year_boundary():
    january = date(2026, 1, 15)
    assert span(parse_period("last-month", january)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert span(parse_period("last-quarter", january)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert span(parse_period("last-12-months", january)) == (date(2025, 2, 1), january)


def test_days_counts_both_ends():
    assert parse_period("2026-10", TODAY).days == 31
    assert parse_period("last-30-days", TODAY).days == 30
    assert parse_period("2026", TODAY).days == 365
    assert parse_period("mtd", TODAY).days == 10


@pytest.mark.parametrize("text", ["", "fortnight", "2026-13", "2026-Q5", "smarch 2026", "last-0-days", "下个月"])
def test_unknown_periods_list_examples(text):
    with pytest.raises(InvalidInput) as caught:
        parse_period(text, TODAY)
    assert repr(text) in caught.value.message and "2026-Q3" in caught.value.message


def test_period_refuses_to_end_before_it_starts():
    with pytest.raises(InvalidInput):
        Period(date(2026, 2, 1), date(2026, 1, 1), "backwards")


def test_month_periods_newest_first_with_the_current_month_to_date():
    months = month_periods(date(2026, 2, 10), 3)
    assert [(p.start, p.end, p.label) for p in months] == [
        (date(2026, 2, 1), date(2026, 2, 10), "Feb 2026 to date"),
        (date(2026, 1, 1), date(2026, 1, 31), "Jan 2026"),
        (date(2025, 12, 1), date(2025, 12, 31), "Dec 2025"),
    ]
    assert [p.days for p in months] == [10, 31, 31]
    with pytest.raises(InvalidInput):
        month_periods(TODAY, 0)


def test_month_periods_line_up_with_last_12_months():
    months = month_periods(TODAY, 12)
    assert len(months) == 12
    assert span(parse_period("last-12-months", TODAY)) == (months[-1].start, months[0].end)


def test_previous_period_has_the_same_length_and_ends_the_day_before():
    # Q3 has 92 days and Q2 only 91, so the same-length period before Q3 starts on 31 March
    q3 = parse_period("2026-Q3", TODAY)
    before = previous_period(q3)
    assert (before.start, before.end, before.days) == (date(2026, 3, 31), date(2026, 6, 30), 92)
    assert before.label == "2026-03-31 to 2026-06-30"
    last30 = previous_period(parse_period("last-30-days", TODAY))
    assert (last30.start, last30.end) == (date(2026, 4, 12), date(2026, 5, 11))


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.integers(1, 40))
def test_month_periods_are_contiguous(end, count):
    months = month_periods(end, count)
    assert months[0].end == end
    for newer, older in zip(months, months[1:], strict=False):
        assert (newer.start - older.end).days == 1
        assert older.start.day == 1


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.integers(1, 400))
def test_previous_period_is_adjacent_and_equal_length(start, length):
    period = Period(start, start.fromordinal(start.toordinal() + length - 1), "p")
    before = previous_period(period)
    assert before.days == period.days and (period.start - before.end).days == 1


@pytest.mark.parametrize("text, expected", [
    ("Q3", (date(2026, 7, 1), date(2026, 9, 30))),  # in November: this year's, over
    ("q4", (date(2026, 10, 1), date(2026, 11, 24))),  # under way: runs to today
    ("third quarter", (date(2026, 7, 1), date(2026, 9, 30))),
    ("H1", (date(2026, 1, 1), date(2026, 6, 30))),
    ("2025-H2", (date(2025, 7, 1), date(2025, 12, 31))),
    ("第三季度", (date(2026, 7, 1), date(2026, 9, 30))),
    ("2025年第四季度", (date(2025, 10, 1), date(2025, 12, 31))),
    ("今年上半年", (date(2026, 1, 1), date(2026, 6, 30))),
    ("去年下半年", (date(2025, 7, 1), date(2025, 12, 31))),
    ("since March", (date(2026, 3, 1), date(2026, 11, 24))),
    ("since 2026-03-15", (date(2026, 3, 15), date(2026, 11, 24))),
    ("3月以来", (date(2026, 3, 1), date(2026, 11, 24))),
    ("december", (date(2025, 12, 1), date(2025, 12, 31))),  # the latest December that has begun
    ("last week", (date(2026, 11, 16), date(2026, 11, 22))),
])
def test_periods_named_in_words(text, expected):
    assert span(parse_period(text, date(2026, 11, 24))) == expected


def test_a_quarter_named_before_it_begins_is_last_years():
    assert span(parse_period("Q3", date(2026, 2, 10))) == (date(2025, 7, 1), date(2025, 9, 30))


@pytest.mark.parametrize("text", ["Q5", "H3", "since someday", "第五季度"])
def test_unknown_period_words_list_the_forms(text):
    with pytest.raises(InvalidInput, match="Try one of"):
        parse_period(text, date(2026, 11, 24))

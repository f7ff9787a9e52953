"""Every date-time the code writes (isoformat(), pydantic's JSON, a PendingAction's stored arguments)
reads back as the same moment; relative times become whole-minute moments once, when proposed."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from core.dates import parse_instant, parse_when
from core.errors import InvalidInput
from tools.collections import ScheduleReminderArgs

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 4, 10, 31, 29, 938716, tzinfo=UTC)
ZONES = st.sampled_from([UTC, SHANGHAI, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata"),
                         timezone(timedelta(hours=-3, minutes=-30))])
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=ZONES)


class Stamp(BaseModel):
    at: datetime


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a shared, busy machine
@given(MOMENTS)
def test_isoformat_and_pydantic_json_read_back_as_the_same_moment(moment):
    utc = moment.astimezone(UTC)  # compared in UTC: Python never equates a moment of a repeated DST hour
    assert parse_instant(moment.isoformat()).astimezone(UTC) == utc
    assert parse_instant(Stamp(at=moment).model_dump(mode="json")["at"]).astimezone(UTC) == utc
    assert parse_instant(utc.isoformat().replace("+00:00", "Z")) == utc


@pytest.mark.parametrize("text", [
    "2026-12-05T02:31:29.938716+00:00",  # what snooze wrote, and the parser refused
    "2026-12-05T02:31:29.938716Z",
    "2026-12-05t02:31:29.938716z",
    "2026-12-05 02:31:29.938716 UTC",
    "2026-12-05T10:31:29.938716+0800",
    "2026-12-05T10:31:29.938716+08",
])
def test_forms_of_one_moment(text):
    assert parse_instant(text) == datetime(2026, 12, 5, 2, 31, 29, 938716, tzinfo=UTC)


def test_a_future_written_moment_is_accepted_as_a_user_time():
    later = NOW + timedelta(days=1)
    assert parse_when(later.isoformat(), NOW.astimezone(SHANGHAI)) == later


def test_not_a_moment():
    assert parse_instant("tomorrow 9am") is None
    with pytest.raises(InvalidInput, match="not a real date"):
        parse_instant("2026-02-30T09:00")


def test_relative_times_are_whole_minutes():
    assert parse_when("in 2 hours", NOW) == datetime(2026, 12, 4, 12, 31, tzinfo=UTC)


def test_stored_arguments_read_back_exactly_even_once_past():
    """A proposal stores model_dump(mode="json"); its confirmation reads the same moment, past or not."""
    now_local = NOW.astimezone(SHANGHAI)
    proposed = ScheduleReminderArgs.model_validate(
        {"invoice_number": "INV-2026-00001", "remind_at": "in 2 hours"}, context={"now_local": now_local})
    stored = proposed.model_dump(mode="json")
    three_hours_later = (NOW + timedelta(hours=3)).astimezone(SHANGHAI)
    confirmed = ScheduleReminderArgs.model_validate(stored, context={"now_local": three_hours_later, "stored": True})
    assert confirmed.remind_at == proposed.remind_at == datetime(2026, 12, 4, 12, 31, tzinfo=UTC)
    with pytest.raises(ValueError, match="already past"):  # typed at proposal, a past time is refused
        ScheduleReminderArgs.model_validate(stored, context={"now_local": three_hours_later})

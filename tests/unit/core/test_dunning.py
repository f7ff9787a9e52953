import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.dunning import (
    DEFAULT_POLICY,
    Stage,
    WorkingHours,
    next_delivery_time,
    parse_policy,
    parse_working_hours,
    passed_over,
    should_chase,
    stage_date,
    stages_to_create,
    worklist_score,
    worklist_sort_key,
)
from core.errors import InvalidInput

DUE = date(2026, 5, 1)
NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = WorkingHours()


def names(created):
    return [(stage.name, send) for stage, send in created]


# --- policy ---------------------------------------------------------------------------------------

def test_default_policy():
    assert [(s.name, s.offset_days, s.recipients, s.kind) for s in DEFAULT_POLICY] == [
        ("-3d", -3, ("rep",), "heads_up"),
        ("+1d", 1, ("collector",), "reminder"),
        ("+7d", 7, ("collector",), "reminder"),
        ("+14d", 14, ("collector", "rep"), "reminder"),
        ("+30d", 30, ("collector", "manager"), "escalation"),
    ]


DEFAULT_TOML = """
[[stage]]
name = "+1d"
offset_days = 1
recipients = ["collector"]
[[stage]]
name = "-3d"
offset_days = -3
recipients = ["rep"]
[[stage]]
name = "+7d"
offset_days = 7
recipients = ["collector"]
kind = "reminder"
[[stage]]
name = "+14d"
offset_days = 14
recipients = ["collector", "rep"]
[[stage]]
name = "+30d"
offset_days = 30
recipients = ["collector", "manager"]
"""


def test_parse_policy_infers_kinds_and_orders_by_offset():
    assert parse_policy(DEFAULT_TOML) == DEFAULT_POLICY


def test_explicit_kind_wins():
    policy = parse_policy('[[stage]]\nname="+60d"\noffset_days=60\nrecipients=["manager"]\nkind="reminder"')
    assert policy == (Stage("+60d", 60, ("manager",), "reminder"),)


STAGE = '[[stage]]\nname="{name}"\noffset_days={offset}\nrecipients={recipients}\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[stage]\n", "not valid TOML"),
        ("", "no [[stage]] tables"),
        (STAGE.format(name="+1d", offset=1, recipients='["cfo"]'), "unknown recipient 'cfo'"),
        (STAGE.format(name="+1d", offset=1, recipients="[]"), "needs recipients"),
        (STAGE.format(name="+1d", offset=1, recipients='["rep", "rep"]'), "recipient twice"),
        (STAGE.format(name="+1d", offset="true", recipients='["rep"]'), "whole number of days"),
        (STAGE.format(name="+1d", offset='"1"', recipients='["rep"]'), "whole number of days"),
        (STAGE.format(name="", offset=1, recipients='["rep"]'), "needs a name"),
        (STAGE.format(name="+1d", offset=1, recipients='["rep"]') + 'kind="shout"', "unknown kind 'shout'"),
        (STAGE.format(name="+1d", offset=1, recipients='["rep"]') + "offset=2", "unknown keys: offset"),
        (
            STAGE.format(name="+1d", offset=1, recipients='["rep"]')
            + STAGE.format(name="+1d", offset=2, recipients='["rep"]'),
            "two stages named '+1d'",
        ),
        (
            STAGE.format(name="a", offset=1, recipients='["rep"]')
            + STAGE.format(name="b", offset=1, recipients='["rep"]'),
            "both have offset_days = 1",
        ),
    ],
)
def test_parse_policy_refuses_mistakes(text, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        parse_policy(text)


def test_parse_working_hours():
    assert parse_working_hours(DEFAULT_TOML) == WorkingHours()
    hours = parse_working_hours(
        '[working_hours]\nstart="08:30"\nend=17:00:00\nweekdays=["mon", "Tuesday", "sat"]'
    )
    assert hours == WorkingHours(time(8, 30), time(17, 0), frozenset({0, 1, 5}))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[working_hours]\nstart="nine"', "must be a time"),
        ('[working_hours]\nstart="18:00"\nend="09:00"', "start before they end"),
        ('[working_hours]\nweekdays=["funday"]', "unknown weekday 'funday'"),
        ("[working_hours]\nweekdays=[]", "at least one weekday"),
        ('[working_hours]\nweekdays="mon"', "must be a list"),
        ('[working_hours]\nlunch="12:00"', "unknown keys: lunch"),
    ],
)
def test_parse_working_hours_refuses_mistakes(text, message):
    with pytest.raises(InvalidInput, match=message):
        parse_working_hours(text)


# --- stages ---------------------------------------------------------------------------------------

def test_stage_dates():
    assert [stage_date(DUE, s) for s in DEFAULT_POLICY] == [
        date(2026, 4, 28),
        date(2026, 5, 2),
        date(2026, 5, 8),
        date(2026, 5, 15),
        date(2026, 5, 31),
    ]


def test_each_stage_is_sent_on_its_day_once():
    existing: set[str] = set()
    for stage in DEFAULT_POLICY:
        day = stage_date(DUE, stage)
        assert stages_to_create(DUE, day - timedelta(days=1), DEFAULT_POLICY, existing) == []
        assert names(stages_to_create(DUE, day, DEFAULT_POLICY, existing)) == [(stage.name, True)]
        existing.add(stage.name)
        assert stages_to_create(DUE, day, DEFAULT_POLICY, existing) == []


def test_nothing_before_the_heads_up_and_nothing_new_on_the_due_date():
    assert stages_to_create(DUE, date(2026, 4, 27), DEFAULT_POLICY, set()) == []
    assert stages_to_create(DUE, DUE, DEFAULT_POLICY, {"-3d"}) == []


def test_invoice_first_seen_sixty_days_late_gets_one_message_and_one_row():
    late = DUE + timedelta(days=60)
    assert names(stages_to_create(DUE, late, DEFAULT_POLICY, set())) == [("+30d", True)]
    assert passed_over(DUE, late, DEFAULT_POLICY, set()) == 4
    assert stages_to_create(DUE, late, DEFAULT_POLICY, {"+30d"}) == []  # the earlier four are done with it


def test_missed_days_pass_over_earlier_stages():
    assert names(stages_to_create(DUE, DUE + timedelta(days=9), DEFAULT_POLICY, {"-3d"})) == [("+7d", True)]
    assert passed_over(DUE, DUE + timedelta(days=9), DEFAULT_POLICY, {"-3d"}) == 1
    assert stages_to_create(DUE, DUE + timedelta(days=9), DEFAULT_POLICY, {"-3d", "+7d"}) == []


def test_heads_up_is_never_sent_once_past_due():
    heads_up_only = (DEFAULT_POLICY[0],)
    assert names(stages_to_create(DUE, DUE, heads_up_only, set())) == [("-3d", True)]
    assert names(stages_to_create(DUE, DUE + timedelta(days=1), heads_up_only, set())) == [("-3d", False)]
    assert stages_to_create(DUE, DUE + timedelta(days=2), heads_up_only, {"-3d"}) == []


def test_a_stage_older_than_one_already_recorded_is_not_sent():
    # e.g. the policy gained a +1d stage after +7d had gone out
    assert stages_to_create(DUE, DUE + timedelta(days=8), DEFAULT_POLICY, {"-3d", "+7d"}) == []
    assert passed_over(DUE, DUE + timedelta(days=8), DEFAULT_POLICY, {"-3d", "+7d"}) == 0
    assert names(stages_to_create(DUE, DUE + timedelta(days=14), DEFAULT_POLICY, {"-3d", "+7d"})) == [("+14d", True)]


# --- skipping -------------------------------------------------------------------------------------

TODAY = date(2026, 6, 10)


@pytest.mark.parametrize(
    ("status", "balance", "disputed", "promised", "reason"),
    [
        ("open", "100.00", False, None, None),
        ("partially_paid", "40.00", False, None, None),
        ("paid", "0.00", False, None, "paid"),
        ("open", "0.00", False, None, "paid"),
        ("void", "100.00", False, None, "void"),
        ("void", "100.00", True, date(2026, 7, 1), "void"),
        ("open", "100.00", True, None, "disputed"),
        ("open", "100.00", False, date(2026, 6, 20), "promised until 2026-06-20"),
        ("open", "100.00", False, TODAY, "promised until 2026-06-10"),
        ("open", "100.00", False, date(2026, 6, 9), None),  # broken promise: chase again
    ],
)
def test_should_chase(status, balance, disputed, promised, reason):
    assert should_chase(status, Decimal(balance), disputed, promised, TODAY) == reason


def test_should_chase_refuses_unknown_status():
    with pytest.raises(InvalidInput, match="unknown invoice status 'overdue'"):
        should_chase("overdue", Decimal("1"), False, None, TODAY)


# --- delivery times -------------------------------------------------------------------------------

def at(tz, *args):
    return datetime(*args, tzinfo=tz)


def test_inside_working_hours_delivers_now_in_utc():
    when = at(NEW_YORK, 2026, 3, 11, 10, 15)  # Wednesday
    assert next_delivery_time(when, NEW_YORK, HOURS) == datetime(2026, 3, 11, 14, 15, tzinfo=UTC)
    assert next_delivery_time(when, NEW_YORK, HOURS).tzinfo is UTC


def test_early_morning_waits_for_the_start_of_the_day():
    when = at(SHANGHAI, 2026, 3, 10, 7, 0)  # Tuesday
    assert next_delivery_time(when, SHANGHAI, HOURS) == datetime(2026, 3, 10, 1, 0, tzinfo=UTC)


def test_end_of_day_is_already_outside():
    when = at(SHANGHAI, 2026, 3, 10, 18, 0)
    assert next_delivery_time(when, SHANGHAI, HOURS) == datetime(2026, 3, 11, 1, 0, tzinfo=UTC)


def test_weekend_in_shanghai_waits_for_monday():
    # Friday 17:00 UTC is already Saturday 01:00 in Shanghai (UTC+8, no DST)
    when = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)
    assert next_delivery_time(when, SHANGHAI, HOURS) == datetime(2026, 3, 9, 1, 0, tzinfo=UTC)


def test_weekend_across_spring_forward_in_new_york():
    # Friday 6 March 19:00 EST (UTC−5); clocks go forward Sunday 8 March; Monday 09:00 EDT is 13:00 UTC
    when = at(NEW_YORK, 2026, 3, 6, 19, 0)
    delivered = next_delivery_time(when, NEW_YORK, HOURS)
    assert delivered == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert delivered.astimezone(NEW_YORK).time() == time(9, 0)


def test_weekend_across_fall_back_in_new_york():
    # Friday 30 October 18:30 EDT (UTC−4); clocks go back Sunday 1 November; Monday 09:00 EST is 14:00 UTC
    when = at(NEW_YORK, 2026, 10, 30, 18, 30)
    assert next_delivery_time(when, NEW_YORK, HOURS) == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def test_custom_weekdays_and_hours():
    hours = WorkingHours(time(10, 0), time(16, 0), frozenset({5}))  # Saturdays only
    when = at(SHANGHAI, 2026, 3, 7, 16, 30)  # Saturday, after hours → next Saturday
    assert next_delivery_time(when, SHANGHAI, hours) == datetime(2026, 3, 14, 2, 0, tzinfo=UTC)


def test_naive_datetimes_are_refused():
    with pytest.raises(InvalidInput):
        next_delivery_time(datetime(2026, 3, 6, 9, 0), NEW_YORK, HOURS)


def test_working_hours_validate():
    with pytest.raises(InvalidInput):
        WorkingHours(time(18), time(9))
    with pytest.raises(InvalidInput):
        WorkingHours(weekdays=frozenset({7}))


# --- worklist -------------------------------------------------------------------------------------

def test_worklist_score():
    # 1,000 × 10 days × 1.5 (grade C) = 15,000
    assert worklist_score(Decimal("1000.00"), 10, "C") == Decimal("15000.00")
    assert worklist_score(Decimal("1000.00"), 10, "E") == Decimal("30000.00")
    assert worklist_score(Decimal("1000.00"), 10, "A") == Decimal("10000.00")
    assert worklist_score(Decimal("1000.00"), -2, "B") == Decimal("0.00")
    with pytest.raises(InvalidInput):
        worklist_score(Decimal("1"), 1, "Z")


def test_worklist_puts_broken_promises_first_then_highest_score():
    rows = [
        ("small", Decimal("100"), False),
        ("broken-small", Decimal("5"), True),
        ("big", Decimal("9000"), False),
        ("broken-big", Decimal("50"), True),
    ]
    ranked = sorted(rows, key=lambda r: worklist_sort_key(r[1], r[2]))
    assert [r[0] for r in ranked] == ["broken-big", "broken-small", "big", "small"]

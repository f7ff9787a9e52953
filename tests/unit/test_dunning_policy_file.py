from datetime import UTC, datetime

import pytest

from core.errors import InvalidInput
from tools import FixedClock
from tools.dunning_policy import Policy, load_policy
from tools.outbox import Outbox

POLICY = """
[[stage]]
name = "+2d"
offset_days = 2
recipients = ["collector"]

[working_hours]
start = "08:30"
end = "17:30"
weekdays = ["mon", "tue", "wed", "thu", "fri"]
"""


def test_a_policy_file_replaces_the_stages_and_hours(tmp_path, db):
    path = tmp_path / "dunning.toml"
    path.write_text(POLICY)
    policy = load_policy(path)
    assert [s.name for s in policy.stages] == ["+2d"] and policy.hours.start.hour == 8
    assert load_policy(None) == Policy()
    Outbox(db, FixedClock(datetime(2026, 11, 24, 16, 0, tzinfo=UTC)), policy).sweep()
    with db.session() as s:
        from sqlalchemy import text

        assert {row[0] for row in s.execute(text("select distinct stage from reminders"))} == {"+2d"}


def test_a_bad_policy_file_says_what_is_wrong(tmp_path):
    path = tmp_path / "dunning.toml"
    path.write_text('[[stage]]\nname = "x"\noffset_days = 1\nrecipients = ["accountant"]\n')
    with pytest.raises(InvalidInput, match="accountant"):
        load_policy(path)


ESCALATING = """
[[stage]]
name = "first-chase"
offset_days = 1
recipients = ["collector"]

[[stage]]
name = "+30d"
offset_days = 30
recipients = ["collector"]
kind = "reminder"

[[stage]]
name = "final-notice"
offset_days = 45
recipients = ["collector", "manager"]
kind = "escalation"
"""


def test_the_policy_says_which_stage_escalates_not_its_name(tmp_path, db):
    from sqlalchemy import select

    from db.models import Reminder
    from tools import Rules
    from tools.reminder_message import reminder_messages

    path = tmp_path / "dunning.toml"
    path.write_text(ESCALATING)
    policy = load_policy(path)
    clock = FixedClock(datetime(2026, 11, 24, 16, 0, tzinfo=UTC))
    Outbox(db, clock, policy).sweep()
    with db.session() as s:
        stages = dict(s.execute(select(Reminder.id, Reminder.stage)).all())
    assert set(stages.values()) == {"first-chase", "+30d", "final-notice"}
    messages = reminder_messages(db, clock, Rules(), list(stages), policy.stages)
    assert {m.stage for m in messages.values() if m.escalation} == {"final-notice"}

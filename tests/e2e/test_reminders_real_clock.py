"""Reminders on the real clock. `python app.py reminders sweep` and `reminders send` run without `--now`
against a mock Slack, every recipient in a timezone where it is office hours right now: every due
reminder goes out in the one pass. And the same in process, on a clock that ticks and on the system
clock: a recipient inside working hours is never deferred."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

import pytest
from sqlalchemy import func, select, update

from bot.reminders import ReminderSender
from bot.slack_app import slack_client
from core.dunning import WorkingHours
from db.models import Member, Reminder
from db.session import Database
from tests.conftest import DEMO_NOW
from tests.fakes.slack_api import MockSlack
from tools import SystemClock, TickingClock
from tools.outbox import Outbox, Policy

ROOT = Path(__file__).resolve().parents[2]
ALL_WEEK = '[working_hours]\nweekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\n'


def office_hours_zone(now: datetime, weekdays_only: bool) -> str | None:
    """A zone whose local time now is between 10:00 and 16:00 (on a weekday, when asked)."""
    for name in sorted(available_timezones()):
        local = now.astimezone(ZoneInfo(name))
        if 10 <= local.hour < 16 and (local.weekday() < 5 or not weekdays_only):
            return name
    return None


def everyone_in(db: Database, slack: MockSlack, zone: str) -> None:
    with db.session(write=True) as s:
        people = s.scalars(select(Member.slack_user_id)).all()
        s.execute(update(Member).values(timezone=zone, tz_checked_at=None))  # the sender asks Slack again
        s.commit()
    for user in people:
        slack.set_user(user, tz=zone)


def due_pending(db: Database, now: datetime) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Reminder).where(
            Reminder.status == "pending", Reminder.due_at <= now))


def posted_ids(slack: MockSlack) -> list[int]:
    return [m["metadata"]["event_payload"]["reminder_id"] for m in slack.messages() if m.get("metadata")]


def test_sweep_and_send_from_the_command_line_on_the_real_clock(tmp_path):
    now = datetime.now(UTC)
    zone = office_hours_zone(now, weekdays_only=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TALLY_", "SLACK_", "OPENAI_"))}
    if zone is None:  # a weekend everywhere it is office hours: a policy that works every day
        zone = office_hours_zone(now, weekdays_only=False)
        (tmp_path / "policy.toml").write_text(ALL_WEEK, encoding="utf-8")
        env["TALLY_DUNNING_POLICY"] = str(tmp_path / "policy.toml")
    url = f"sqlite:///{tmp_path / 'tally.db'}"
    with MockSlack() as slack:
        env.update(DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=slack.base_url,
                   SLACK_SIGNING_SECRET="test-signing-secret")

        def app(*args: str) -> str:
            done = subprocess.run([sys.executable, str(ROOT / "app.py"), *args], cwd=tmp_path, env=env,
                                  capture_output=True, text=True, timeout=180)
            assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
            return done.stdout

        app("seed", "--demo")
        db = Database(url)
        everyone_in(db, slack, zone)
        queued = int(re.search(r"(\d+) reminders queued", app("reminders", "sweep"))[1])
        due = due_pending(db, datetime.now(UTC))
        assert queued > 0 and due == queued  # in office hours everywhere: all due now
        sent = int(re.search(r"sent (\d+)", app("reminders", "send"))[1])
        assert sent == due and due_pending(db, datetime.now(UTC)) == 0
        ids = posted_ids(slack)
        assert len(ids) == len(set(ids)) == due
        with db.session() as s:
            assert set(s.scalars(select(Reminder.id).where(Reminder.status == "sent"))) == set(ids)
        db.dispose()


@pytest.mark.parametrize("clock_kind", ["ticking", "system"])
def test_a_recipient_in_working_hours_gets_every_due_reminder_in_one_pass(tally, db, clock_kind):
    clock = TickingClock(DEMO_NOW) if clock_kind == "ticking" else SystemClock()
    now = clock.now()
    zone = office_hours_zone(now, weekdays_only=True)
    policy = Policy()
    if zone is None:
        zone, policy = office_hours_zone(now, weekdays_only=False), Policy(hours=WorkingHours(weekdays=frozenset(
            range(7))))
    tally.clock = clock
    outbox = Outbox(db, clock, policy)
    with MockSlack(clock=clock) as slack:
        everyone_in(db, slack, zone)
        outbox.sweep()
        due = due_pending(db, clock.now())
        report = ReminderSender(tally, outbox, slack_client("xoxb-test", slack.base_url), worker="w").run_once()
        assert due > 0 and report.sent == due and report.deferred == 0
        assert due_pending(db, clock.now()) == 0 and len(posted_ids(slack)) == due

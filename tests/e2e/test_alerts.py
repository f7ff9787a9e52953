"""Alerts from their real entry points: `python app.py alerts --now` against the mock Slack (twice: one DM
per person), the alert DM's buttons clicked through the real Bolt app (a read answered in the thread, a
write proposed once however often it is clicked, the clicker's role deciding), and on PostgreSQL two
`python app.py scheduler` processes at once telling each person once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.alerts import run_alerts
from bot.slack_app import slack_client
from db.models import Alert, AlertCondition, Member, PendingAction
from tests.e2e.app_runner import run_app
from tests.e2e.slack_harness import blocks_text, slack_world
from tests.fakes.slack_api import MockSlack
from tests.integration.test_alerts import alerts_about, posted_alerts, set_limit_for_share
from tools import TickingClock

ROOT = Path(__file__).resolve().parents[2]
TUESDAY_4PM_UTC = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


def test_the_alerts_command_tells_each_person_once_across_two_runs(db, backend, tmp_path):
    set_limit_for_share(db, "ACME", Decimal("0.95"))
    with MockSlack() as slack:
        env = {"DATABASE_URL": backend.url, "SLACK_API_URL": slack.base_url, "SLACK_BOT_TOKEN": "xoxb-test",
               "SLACK_SIGNING_SECRET": "s3cret-for-tests"}
        first = run_app(tmp_path, ["alerts", "--now", TUESDAY_4PM_UTC.isoformat()], env)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "new" in first.stdout and "sent" in first.stdout
        second = run_app(tmp_path, ["alerts", "--now", "2026-11-24T17:00"], env)
        assert second.returncode == 0 and "0 new" in second.stdout and "sent 0" in second.stdout
        posts = posted_alerts(slack)
        assert Counter(p["id"] for p in posts).most_common(1)[0][1] == 1  # no alert twice
        acme = [p for p in posts if "Acme" in p["text"] and "credit limit" in p["text"]]
        assert {p["channel"] for p in acme} == {"DU0SALES1", "DU0COLL1"}
    bad = run_app(tmp_path, ["alerts", "--now", "soon"], env)
    assert bad.returncode != 0 and "not an ISO date-time" in bad.stdout


def stopped(process: subprocess.Popen) -> str:
    """Its output once it has ended: killed if SIGTERM is not enough, never left running on the test database."""
    try:
        return process.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[0] + "\n(killed: it did not stop on SIGTERM)"


def alert_dm(world, db, user: str, kind: str, subject: str):
    """The DM of that alert, and where Slack put it."""
    with db.session() as s:
        alert = s.scalars(select(Alert).join(AlertCondition).where(
            AlertCondition.kind == kind, AlertCondition.subject == subject, Alert.recipient == user)).one()
    for call in world.slack.calls_to("chat.postMessage"):
        meta = call.params.get("metadata")
        meta = json.loads(meta) if isinstance(meta, str) else meta
        if meta and meta["event_payload"].get("alert_id") == alert.id:
            return call, alert.slack_channel, alert.slack_ts
    raise AssertionError(f"no alert about {subject!r} to {user}")


def value_of(call, label: str) -> tuple[str, str]:
    for block in call.params["blocks"]:
        for element in block.get("elements", []):
            if element.get("type") == "button" and element["text"]["text"] == label:
                return element["action_id"], element["value"]
    raise AssertionError(f"no {label} button")


def test_alert_buttons_act_as_the_person_who_clicks(tally, db):
    tally.clock = TickingClock(TUESDAY_4PM_UTC)
    with db.session(write=True) as s:
        s.execute(update(Member).values(tz_checked_at=TUESDAY_4PM_UTC))
        s.commit()
    set_limit_for_share(db, "ACME", Decimal("0.95"))
    with slack_world(tally, with_model=False) as world:
        run_alerts(tally, slack_client("xoxb-test", world.slack.base_url))
        dm, channel, ts = alert_dm(world, db, "U0SALES1", "exposure", "ACME")
        action, value = value_of(dm, "Check credit")
        world.click("U0SALES1", action, value, channel, ts)
        world.settle()
        replies = [c for c in world.slack.calls_to("chat.postMessage") if c.params.get("thread_ts") == ts]
        assert replies and "Acme" in blocks_text(replies[-1]) and "limit" in blocks_text(replies[-1]).lower()

        assert "Hold new orders" not in blocks_text(dm)  # a rep cannot put a customer on hold

        dm, channel, ts = alert_dm(world, db, "U0COLL1", "exposure", "ACME")
        action, value = value_of(dm, "Hold new orders")
        for _ in range(2):  # a double click: one proposal, its card shown again
            world.click("U0COLL1", action, value, channel, ts)
            world.settle()
        with db.session() as s:
            proposals = s.scalar(select(func.count()).select_from(PendingAction).where(
                PendingAction.tool == "update_customer", PendingAction.requested_by == "U0COLL1"))
        assert proposals == 1
        thread = [c for c in world.slack.calls_to("chat.postMessage") if c.params.get("thread_ts") == ts]
        assert "tally_confirm" in blocks_text(thread[-1])

        forged = json.dumps({"alert": 1, "command": "customer ACME hold on"})  # a rep cannot hold a customer
        world.click("U0SALES1", action, forged, channel, ts)
        world.settle()
        last = [c for c in world.slack.calls_to("chat.postMessage") if c.params.get("thread_ts") == ts][-1]
        assert "tally_confirm" not in blocks_text(last)


@pytest.mark.skipif(not os.environ.get("TALLY_TEST_DATABASE_URL"), reason="two schedulers share a PostgreSQL database")
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_scheduler_processes_alert_each_person_once(db, backend, tmp_path):
    set_limit_for_share(db, "ACME", Decimal("0.95"))
    with db.session(write=True) as s:  # known timezones: the schedulers ask Slack for none
        s.execute(update(Member).values(timezone="UTC", tz_checked_at=datetime.now(UTC)))
        s.commit()
    policy = tmp_path / "hours.toml"  # every hour a working hour, whenever the test runs
    policy.write_text('[working_hours]\nstart = "00:00"\nend = "23:59"\n'
                      'weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\n')
    with MockSlack() as slack:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TALLY_", "SLACK_"))}
        env.update(DATABASE_URL=backend.url, SLACK_API_URL=slack.base_url, SLACK_BOT_TOKEN="xoxb-test",
                   SLACK_SIGNING_SECRET="s3cret-for-tests", TALLY_DUNNING_POLICY=str(policy), PYTHONUNBUFFERED="1")
        procs = [subprocess.Popen([sys.executable, str(ROOT / "app.py"), "scheduler"], cwd=tmp_path, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
        try:
            ends = time.monotonic() + 90
            while time.monotonic() < ends:
                with db.session() as s:
                    waiting = s.scalar(select(func.count()).select_from(Alert).where(
                        Alert.status.in_(("pending", "claimed"))))
                    done = s.scalar(select(func.count()).select_from(Alert).where(Alert.status == "sent"))
                if done and not waiting:
                    break
                time.sleep(0.5)
        finally:
            for p in procs:
                p.terminate()
            logs = [stopped(p) for p in procs]
        assert all(p.returncode is not None for p in procs), logs
        posts = posted_alerts(slack)
        assert posts and max(Counter(p["id"] for p in posts).values()) == 1, logs
        assert [(e, r) for e, r, _ in alerts_about(db, "exposure", "ACME")] == [(1, "U0COLL1"), (1, "U0SALES1")]
        with db.session() as s:
            episodes = s.execute(select(AlertCondition.kind, AlertCondition.subject, func.count())
                                 .group_by(AlertCondition.kind, AlertCondition.subject)).all()
        assert all(n == 1 for *_, n in episodes)

"""Reminder times through signed Slack requests, on a clock that ticks: "remind ... in 2 hours" is stored
as the moment its card showed, also when Confirm comes after that moment; a snooze works, and a second
click of the same snooze button leaves one reminder and shows it again."""

import json
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.reminders import ReminderSender
from bot.slack_app import slack_client
from db.models import Member, Reminder
from tests.e2e.slack_harness import blocks_text, button, slack_world
from tests.helpers import invoice_of
from tools import TickingClock
from tools.outbox import Outbox

THURSDAY_10AM_NY = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
CARD_TIME = re.compile(r"on (\w{3} \d{2} \w{3} \d{4} \d{2}:\d{2}) ([\w/]+)[ .]")


def shown_moment(card) -> datetime:
    """The moment a confirmation card names, in the zone it names."""
    when, zone = CARD_TIME.search(blocks_text(card)).groups()
    return datetime.strptime(when, "%a %d %b %Y %H:%M").replace(tzinfo=ZoneInfo(zone))


def manual_reminders(db, invoice_id):
    with db.session() as s:
        return list(s.scalars(select(Reminder).where(Reminder.invoice_id == invoice_id,
                                                     Reminder.stage.startswith("at:"))))


def confirm_card(world, user, card, name):
    url = world.slack.base_url + name
    world.click(user, "tally_confirm", button(card, "tally_confirm"), "C0GENERAL", "1700000000.000100",
                container={"type": "message", "message_ts": "1700000000.000100", "channel_id": "C0GENERAL",
                           "is_ephemeral": True}, response_url=url)
    return world.slack.wait_for(name)[0]


def test_remind_in_two_hours_is_stored_as_the_moment_the_card_showed(tally, db):
    tally.clock = TickingClock(THURSDAY_10AM_NY + timedelta(seconds=42, microseconds=123456))
    invoice = invoice_of(db, "GLOBEX")
    with slack_world(tally, with_model=False) as world:
        card = world.slack.wait_for(world.command("U0COLL1", f"remind {invoice.number} in 2 hours"))[0]
        shown = shown_moment(card)
        assert shown == THURSDAY_10AM_NY + timedelta(hours=2)
        tally.clock.at += timedelta(minutes=3)  # the card waits a little for its click
        done = confirm_card(world, "U0COLL1", card, "response.remind1")
        assert "Reminder #" in blocks_text(done) and "Not done" not in blocks_text(done)
    (reminder,) = manual_reminders(db, invoice.id)
    assert reminder.due_at == shown and reminder.status == "pending"


def test_a_reminder_confirmed_after_its_time_is_sent_at_once(tally, db):
    tally.clock = TickingClock(THURSDAY_10AM_NY)
    invoice = invoice_of(db, "GLOBEX")
    with slack_world(tally, with_model=False) as world:
        card = world.slack.wait_for(world.command("U0COLL1", f"remind {invoice.number} in 30 minutes"))[0]
        shown = shown_moment(card)
        tally.clock.at += timedelta(hours=1)  # Confirm clicked after the time on the card
        done = confirm_card(world, "U0COLL1", card, "response.remind2")
        assert "Not done" not in blocks_text(done), blocks_text(done)
        (reminder,) = manual_reminders(db, invoice.id)
        assert reminder.due_at == shown < tally.clock.now()
        client = slack_client("xoxb-test", world.slack.base_url)
        ReminderSender(tally, Outbox(db, tally.clock), client, worker="w").run_once()
        dms = [c for c in world.slack.calls_to("chat.postMessage") if c.params["channel"] == "DU0COLL1"]
        assert len(dms) == 1 and invoice.number in blocks_text(dms[0])


def test_a_past_time_typed_on_a_card_is_refused_with_what_works(tally, db):
    tally.clock = TickingClock(THURSDAY_10AM_NY)
    invoice = invoice_of(db, "GLOBEX")
    with slack_world(tally, with_model=False) as world:
        answer = world.slack.wait_for(world.command("U0COLL1", f"remind {invoice.number} 2026-11-26T09:00Z"))[0]
    assert "already past" in blocks_text(answer) and "tomorrow 9am" in blocks_text(answer)
    assert manual_reminders(db, invoice.id) == []


def test_snooze_works_and_a_second_click_leaves_one_reminder(tally, db):
    tally.clock = TickingClock(THURSDAY_10AM_NY)
    outbox = Outbox(db, tally.clock)
    outbox.sweep()
    with slack_world(tally, with_model=False) as world:
        ReminderSender(tally, outbox, slack_client("xoxb-test", world.slack.base_url), worker="w").run_once()
        post = next(c for c in world.slack.calls_to("chat.postMessage") if c.params["channel"] == "DU0COLL1")
        value = button(post, "tally_remind_snooze_3")
        reminder_id = json.loads(value)["reminder"]
        dm_ts = world.slack.messages("DU0COLL1")[0]["ts"]
        for n in (1, 2):  # a double click: the same button, twice
            tally.clock.at += timedelta(seconds=40)
            world.click("U0COLL1", "tally_remind_snooze_3", value, "DU0COLL1", dm_ts,
                        response_url=world.slack.base_url + f"response.s{n}")
            updates = world.slack.wait_for("chat.update", count=n)
        assert not world.slack.calls_to("response.s1") and not world.slack.calls_to("response.s2")  # no error
        shown = [re.search(r"Snoozed until (\w{3} \d{2} \w{3} \d{2}:\d{2})", blocks_text(u))[1] for u in updates]
    with db.session() as s:
        invoice_id = s.get(Reminder, reminder_id).invoice_id
        zone = ZoneInfo(s.get(Member, "U0COLL1").timezone)  # as Slack told the sender (users.info)
    (snoozed,) = manual_reminders(db, invoice_id)
    local = snoozed.due_at.astimezone(zone)
    assert shown == [local.strftime("%a %d %b %H:%M")] * 2
    assert snoozed.recipient == "U0COLL1" and snoozed.note == "snoozed" and snoozed.status == "pending"
    assert timedelta(days=3) <= snoozed.due_at - THURSDAY_10AM_NY < timedelta(days=3, minutes=2)

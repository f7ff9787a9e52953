import re

from slack_bolt import App

from bot.blocks.feedback import FEEDBACK_ACTION
from bot.listeners.acks import ack_now
from bot.listeners.actions.alerts import run_alert_button
from bot.listeners.actions.approval import approve_hold, open_reject_reason
from bot.listeners.actions.cash_review import decide_line, open_split, write_off
from bot.listeners.actions.confirmation import cancel_pending, confirm_pending
from bot.listeners.actions.feedback import record_feedback
from bot.listeners.actions.paging import next_page
from bot.listeners.actions.reminders import MODALS, open_reminder_modal, send_statement, snooze
from bot.listeners.outage import answers_outage as guarded


def register(app: App) -> None:
    app.action("tally_confirm")(ack=ack_now, lazy=[guarded(confirm_pending)])
    app.action("tally_cancel")(ack=ack_now, lazy=[guarded(cancel_pending)])
    app.action("tally_approve")(ack=ack_now, lazy=[guarded(approve_hold)])
    app.action("tally_reject")(guarded(open_reject_reason))  # a modal needs the trigger id within 3 seconds
    app.action("tally_page")(ack=ack_now, lazy=[guarded(next_page)])
    app.action(FEEDBACK_ACTION)(ack=ack_now, lazy=[guarded(record_feedback)])
    for action_id in MODALS:
        app.action(action_id)(guarded(open_reminder_modal))
    app.action(re.compile(r"^tally_remind_snooze_\d+$"))(ack=ack_now, lazy=[guarded(snooze)])
    app.action("tally_remind_statement")(ack=ack_now, lazy=[guarded(send_statement)])
    app.action(re.compile(r"^tally_cash_review_\d+$"))(ack=ack_now, lazy=[guarded(decide_line)])
    app.action(re.compile(r"^tally_cash_writeoff_\d+$"))(ack=ack_now, lazy=[guarded(write_off)])
    app.action("tally_cash_split")(guarded(open_split))  # the form needs the trigger id within 3 seconds
    app.action(re.compile(r"^tally_alert_\d+$"))(ack=ack_now, lazy=[guarded(run_alert_button)])

from slack_bolt import App

from bot.listeners.acks import ack_now
from bot.listeners.actions.approval import REJECT_VIEW
from bot.listeners.outage import answers_outage as guarded
from bot.listeners.views.cash_split import submit_split
from bot.listeners.views.reject_reason import reject_hold
from bot.listeners.views.reminders import submit_reminder_modal
from bot.reminder_modals import DISPUTE, PAYMENT, PROMISE
from bot.split_modal import SPLIT


def register(app: App) -> None:
    app.view(REJECT_VIEW)(ack=ack_now, lazy=[guarded(reject_hold)])
    for callback_id in (PAYMENT, PROMISE, DISPUTE):
        app.view(callback_id)(guarded(submit_reminder_modal))
    app.view(SPLIT)(guarded(submit_split))

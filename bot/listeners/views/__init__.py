from slack_bolt import App

from bot.listeners.acks import ack_now
from bot.listeners.actions.approval import REJECT_VIEW
from bot.listeners.views.reject_reason import reject_hold


def register(app: App) -> None:
    app.view(REJECT_VIEW)(ack=ack_now, lazy=[reject_hold])

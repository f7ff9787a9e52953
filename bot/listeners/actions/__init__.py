from slack_bolt import App

from bot.listeners.acks import ack_now
from bot.listeners.actions.approval import approve_hold, open_reject_reason
from bot.listeners.actions.confirmation import cancel_pending, confirm_pending
from bot.listeners.actions.paging import next_page


def register(app: App) -> None:
    app.action("tally_confirm")(ack=ack_now, lazy=[confirm_pending])
    app.action("tally_cancel")(ack=ack_now, lazy=[cancel_pending])
    app.action("tally_approve")(ack=ack_now, lazy=[approve_hold])
    app.action("tally_reject")(open_reject_reason)  # a modal needs the trigger id within 3 seconds
    app.action("tally_page")(ack=ack_now, lazy=[next_page])

from slack_bolt import App

from bot.listeners.acks import ack_now
from bot.listeners.commands.tally import run_tally_command


def register(app: App) -> None:
    app.command("/tally")(ack=ack_now, lazy=[run_tally_command])

from slack_bolt import App

from bot.listeners.acks import ack_now
from bot.listeners.commands.tally import run_tally_command
from bot.listeners.outage import answers_outage as guarded


def register(app: App) -> None:
    app.command("/tally")(ack=ack_now, lazy=[guarded(run_tally_command)])

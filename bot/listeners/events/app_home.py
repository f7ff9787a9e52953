"""App Home opened: publish the person's dashboard for their role."""

from __future__ import annotations

from logging import Logger

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.home import home_blocks, home_view, without_chart
from bot.home_chart import home_chart
from bot.listeners.outage import is_outage

REFUSED = ("invalid_blocks", "invalid_arguments")  # what Slack answers a Home whose image it cannot show


def publish_home(event: dict, context: BoltContext, client: WebClient, logger: Logger) -> None:
    if event.get("tab", "home") != "home":
        return
    actor, tally = context["actor"], context["tally"].via("home")
    try:
        blocks = home_blocks(tally, actor, home_chart(tally, actor, client))
    except Exception as exc:
        if is_outage(exc):
            raise  # answered as an outage: the home tab says so
        logger.exception("App Home for %s failed", actor.user_id)
        return
    try:
        try:
            client.views_publish(user_id=actor.user_id, view=home_view(blocks))
        except SlackApiError as exc:
            if exc.response.get("error") not in REFUSED or blocks == without_chart(blocks):
                raise
            # Slack is still processing the chart's file: the Home goes out without it, this once.
            client.views_publish(user_id=actor.user_id, view=home_view(without_chart(blocks)))
    except Exception:
        logger.exception("App Home for %s failed", actor.user_id)

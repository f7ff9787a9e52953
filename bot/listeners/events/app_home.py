"""App Home opened: publish the person's dashboard for their role."""

from __future__ import annotations

from logging import Logger

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.blocks.charts import ageing_chart
from bot.home import home_blocks, home_view
from bot.listeners.outage import is_outage
from core.roles import Role


def publish_home(event: dict, context: BoltContext, client: WebClient, logger: Logger) -> None:
    if event.get("tab", "home") != "home":
        return
    actor, tally = context["actor"], context["tally"].via("home")
    image = None
    if actor.role in (Role.MANAGER, Role.ADMIN):
        try:
            upload = client.files_upload_v2(content=ageing_chart(tally.read(actor, "ar_ageing", {"group_by": "rep"})),
                                            filename="ageing.png", title="AR ageing")
            image = upload["file"]["id"]
        except Exception:
            logger.warning("ageing chart for App Home failed", exc_info=True)
    try:
        blocks = home_blocks(tally, actor, image)
    except Exception as exc:
        if is_outage(exc):
            raise  # answered as an outage: the home tab says so
        logger.exception("App Home for %s failed", actor.user_id)
        return
    try:
        client.views_publish(user_id=actor.user_id, view=home_view(blocks))
    except Exception:
        logger.exception("App Home for %s failed", actor.user_id)

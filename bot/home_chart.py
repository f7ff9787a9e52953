"""The ageing chart on a manager's or admin's App Home: a PNG uploaded at most once a day per role and
shown by its Slack file id. Every opening that finds no chart of the day (another opening is uploading it,
or the upload failed) gets its Home without the picture rather than no Home."""

from __future__ import annotations

import logging
from typing import Any

from bot.blocks.charts import ageing_chart
from core.roles import Role
from tools import Actor, Tally

CHART_ROLES = (Role.MANAGER, Role.ADMIN)
log = logging.getLogger(__name__)


def home_chart(tally: Tally, actor: Actor, client: Any) -> str | None:
    """The file id of today's chart for the actor's role, uploading it if this opening is the first."""
    if actor.role not in CHART_ROLES:
        return None
    role, day = actor.role.value, tally.clock.now().date().isoformat()
    state = tally.slack_state
    known = state.home_chart(role, day)
    if known or not state.claim_home_chart(role, day):
        return known  # None while another opening uploads it
    try:
        png = ageing_chart(tally.read(actor, "ar_ageing", {"group_by": "rep"}))
        file_id = client.files_upload_v2(content=png, filename="ageing.png", title="AR ageing")["file"]["id"]
    except Exception:
        state.release_home_chart(role, day)  # the next opening tries again
        log.warning("ageing chart for the %s App Home failed", role, exc_info=True)
        return None
    state.remember_home_chart(role, day, file_id)
    return file_id

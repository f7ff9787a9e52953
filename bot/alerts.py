"""Sending the alert outbox to Slack: the reminder sender's exactly-once machinery (leases, a look in the DM
for an earlier post by the row's id before any retry, 429s handed back, working hours) over alert rows."""

from __future__ import annotations

from typing import Any

from bot.blocks.alerts import alert_blocks, alert_text
from bot.reminders import ReminderSender, SendReport
from tools import Tally
from tools.alert_outbox import PassReport

METADATA_TYPE = "tally_alert"


class AlertSender(ReminderSender):
    metadata_type = METADATA_TYPE
    id_key = "alert_id"
    missing = "the alert is gone"

    def _messages(self, ready: list[int]) -> dict[int, Any]:
        return self.outbox.messages(ready)

    def _compose(self, message: Any) -> tuple[str, list[dict]]:
        return alert_text(message), alert_blocks(message)


def run_alerts(tally: Tally, client: Any, limit: int = 500) -> tuple[PassReport, SendReport]:
    """One pass by hand or from the scheduler: detect, queue, send what is due."""
    outbox = tally.alert_outbox
    found = outbox.run_pass()
    return found, AlertSender(tally, outbox, client).run_once(limit=limit)

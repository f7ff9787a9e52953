"""Unusual reading, told to admins and managers: one DM each per reader and day (tools/read_watch.py
keeps the count). The message carries its reader and day in metadata, so an attempt that may have
posted before it failed or died is found in Slack rather than posted again."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from bot.blocks.elements import escape
from bot.slack_posts import posted_before, without_blind_retries
from core.reading import HISTORY_DAYS
from core.roles import Role
from tools import Tally
from tools.read_watch import AlertClaim, UnusualDay

log = logging.getLogger(__name__)
METADATA_TYPE = "tally_read_alert"


def alert_text(unusual: UnusualDay) -> str:
    return (f":eyes: Unusual reading: <@{unusual.user_id}> ({escape(unusual.name)}) viewed or looked up "
            f"documents {unusual.views:,} times on {unusual.day}; their daily median over the {HISTORY_DAYS} days "
            f"before is {unusual.median}, and an alert starts above {unusual.above}. What they viewed: "
            f"`python app.py audit --reads --user {unusual.user_id} --since {unusual.day}`")


def send_read_alerts(tally: Tally, client: Any) -> int:
    """Run by the scheduler: every admin and manager (but the reader) hears once of each unusual day;
    how many DMs were posted. A post that failed is tried again on a later run."""
    now, sent = tally.clock.now(), 0
    poster = without_blind_retries(client)
    unusual_days = tally.read_watch.recent_unusual(now)
    if not unusual_days:
        return 0
    told = tally.members.in_role(Role.ADMIN.value, Role.MANAGER.value)
    for unusual in unusual_days:
        for member in told:
            if member.slack_user_id == unusual.user_id:
                continue
            claim = tally.read_watch.claim(unusual, member.slack_user_id, now)
            if claim is None:
                continue
            try:
                sent += _send(tally, poster, unusual, claim)
            except Exception as exc:
                log.exception("read alert about %s on %s to %s failed; the next run tries again", unusual.user_id,
                              unusual.day, member.slack_user_id)
                tally.read_watch.release(claim, repr(exc))
    return sent


def _send(tally: Tally, client: Any, unusual: UnusualDay, claim: AlertClaim) -> int:
    dm = client.conversations_open(users=claim.recipient)["channel"]["id"]
    payload = {"user": claim.user_id, "day": claim.day.isoformat()}
    since = tally.clock.now() - timedelta(days=3)
    if claim.taken_over and (ts := posted_before(client, dm, METADATA_TYPE, payload.__eq__, since)) is not None:
        tally.read_watch.mark_sent(claim, dm, ts)
        return 0
    posted = client.chat_postMessage(channel=dm, text=alert_text(unusual),
                                     metadata={"event_type": METADATA_TYPE, "event_payload": payload})
    tally.read_watch.mark_sent(claim, dm, posted["ts"])
    return 1

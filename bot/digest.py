"""The weekly digest for managers, Monday 09:00 in their own timezone: ageing chart, countback DSO and
CEI with the change from last week, the top overdue invoices, broken promises and failed reminders."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

from bot.blocks.charts import ageing_chart
from bot.blocks.elements import context, divider, escape, fields, header, section
from core.money import fmt
from core.plural import days
from core.roles import Role
from tools import Actor, FixedClock, Tally
from tools.admin import members_in_role
from tools.digests import claim_digest, iso_week, record_digest
from tools.outbox import Outbox

log = logging.getLogger(__name__)
DIGEST_HOUR = 9
TOP = 10


def _change(now: Decimal, before: Decimal, unit: str, better_when_lower: bool) -> str:
    delta = now - before
    if not delta:
        return f"{now}{unit} (no change)"
    arrow = "▲" if delta > 0 else "▼"
    good = (delta < 0) == better_when_lower
    return f"{now}{unit} ({arrow} {abs(delta)}{unit} {'🟢' if good else '🔴'} vs last week)"


def digest_blocks(tally: Tally, manager: Actor, outbox: Outbox) -> tuple[list[dict], Any]:
    now = tally.clock.now()
    last_week = Tally(tally.db, tally.rules, FixedClock(now - timedelta(days=7)))
    period = {"period": "last-90-days"}
    this, before = tally.read(manager, "collections_summary", period), last_week.read(manager, "collections_summary",
                                                                                        period)
    ageing = tally.read(manager, "ar_ageing", {"group_by": "rep"})
    overdue = tally.read(manager, "invoice_status", {"only_overdue": True}).listing
    worklist = tally.read(manager, "collection_worklist", {"collector": "all"})
    cur = this.currency
    blocks = [header(f"Receivables, week {iso_week(now.astimezone(manager.tz).date())}"), *fields([
        ("Receivables", fmt(this.ending_ar, cur)), ("Overdue", fmt(this.overdue_ar, cur)),
        ("Countback DSO", _change(this.countback_dso, before.countback_dso, " days", True)),
        ("CEI", _change(this.cei, before.cei, "%", False)),
    ])]
    top = sorted(overdue.invoices, key=lambda i: i.balance, reverse=True)[:TOP]
    if top:
        lines = [f"• {i.number} {escape(i.customer.name)}: {fmt(i.balance, cur)}, {days(i.days_overdue)}" for i in top]
        blocks += [divider(), section(f"*Top {len(top)} overdue*\n" + "\n".join(lines))]
    broken = [it for it in worklist.items if it.broken_promise]
    if broken:
        lines = [f"• {it.invoice.number} {escape(it.invoice.customer.name)}: promised {it.invoice.promised_on}, "
                 f"{fmt(it.invoice.balance, cur)} still open" for it in broken[:TOP]]
        blocks += [divider(), section("*Broken promises*\n" + "\n".join(lines))]
    failed = outbox.failed_since(now - timedelta(days=7))
    if failed:
        lines = [f"• reminder #{r.id} ({r.stage}) to <@{r.recipient}>: {escape((r.last_error or '')[:120])}"
                 for r in failed[:TOP]]
        blocks += [divider(), section("*Reminders that could not be delivered*\n" + "\n".join(lines))]
    blocks.append(context("Ageing chart below. Ask me for details, e.g. `ageing by customer`."))
    return blocks, ageing


def send_digests(tally: Tally, client: Any, outbox: Outbox) -> int:
    """Run hourly: each manager whose local time is Monday 09:00 or later gets this week's digest once."""
    now, sent = tally.clock.now(), 0
    for member in members_in_role(tally.db, Role.MANAGER.value):
        manager = tally.actor_for(member.slack_user_id)
        local = now.astimezone(manager.tz)
        if local.weekday() != 0 or local.hour < DIGEST_HOUR:
            continue
        week = iso_week(local.date())
        if not claim_digest(tally.db, manager.user_id, week, now):
            continue
        try:
            blocks, ageing = digest_blocks(tally, manager, outbox)
            dm = client.conversations_open(users=manager.user_id)["channel"]["id"]
            posted = client.chat_postMessage(channel=dm, blocks=blocks, text=f"Receivables digest, week {week}")
            client.files_upload_v2(channel=dm, thread_ts=posted["ts"], content=ageing_chart(ageing),
                                   filename=f"ageing-{week}.png", title=f"AR ageing, week {week}")
            record_digest(tally.db, manager.user_id, week, dm, posted["ts"])
            sent += 1
        except Exception:
            log.exception("weekly digest for %s failed", manager.user_id)
    return sent

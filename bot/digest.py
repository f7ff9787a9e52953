"""The weekly digest for managers, Monday 09:00 in their own timezone: ageing chart, countback DSO and
CEI with the change from last week, the top overdue invoices, broken promises and failed reminders.
Sent, then marked (tools/digests.py): the message carries its week in metadata, so an attempt that may
have posted before it failed or died is found in Slack rather than posted again."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

from bot.blocks.charts import ageing_chart
from bot.blocks.elements import context, divider, escape, fields, header, mention, section
from bot.slack_posts import posted_before, without_blind_retries
from core.money import fmt
from core.plural import days
from core.roles import Role
from tools import Actor, Tally
from tools.digests import DigestClaim, iso_week
from tools.outbox import Outbox

log = logging.getLogger(__name__)
DIGEST_HOUR = 9
TOP = 10
METADATA_TYPE = "tally_digest"


def _change(now: Decimal, before: Decimal, unit: str, better_when_lower: bool) -> str:
    delta = now - before
    if not delta:
        return f"{now}{unit} (no change)"
    arrow = "▲" if delta > 0 else "▼"
    good = (delta < 0) == better_when_lower
    return f"{now}{unit} ({arrow} {abs(delta)}{unit} {'🟢' if good else '🔴'} vs last week)"


def digest_blocks(tally: Tally, manager: Actor, outbox: Outbox) -> tuple[list[dict], Any]:
    tally = tally.via("digest")
    now = tally.clock.now()
    last_week = tally.as_of(now - timedelta(days=7))  # last week's figures, to compare with
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
    forecast = tally.read(manager, "cash_forecast", {"weeks": 4})
    blocks += fields([("Expected in the next 4 weeks", fmt(forecast.total, cur)),
                      ("Last week: forecast / came in", f"{fmt(forecast.last_week_forecast, cur)} / "
                                                        f"{fmt(forecast.last_week_actual, cur)}")])
    top = sorted(overdue.invoices, key=lambda i: i.balance, reverse=True)[:TOP]
    if top:
        lines = [f"• {escape(i.number)} {escape(i.customer.name)}: {fmt(i.balance, cur)}, {days(i.days_overdue)}"
                 for i in top]
        blocks += [divider(), section(f"*Top {len(top)} overdue*\n" + "\n".join(lines))]
    broken = [it for it in worklist.items if it.broken_promise]
    if broken:
        lines = [f"• {escape(it.invoice.number)} {escape(it.invoice.customer.name)}: promised "
                 f"{it.invoice.promised_on}, {fmt(it.invoice.balance, cur)} still open" for it in broken[:TOP]]
        blocks += [divider(), section("*Broken promises*\n" + "\n".join(lines))]
    failed = outbox.failed_since(now - timedelta(days=7))
    if failed:
        lines = [f"• reminder #{r.id} ({escape(r.stage)}) to {mention(r.recipient)}: "
                 f"{escape((r.last_error or '')[:120])}" for r in failed[:TOP]]
        blocks += [divider(), section("*Reminders that could not be delivered*\n" + "\n".join(lines))]
    blocks.append(context("Ageing chart below. Ask me for details, e.g. `ageing by customer`."))
    return blocks, ageing


def send_digests(tally: Tally, client: Any, outbox: Outbox) -> int:
    """Run hourly: each manager whose local time is Monday 09:00 or later gets this week's digest once;
    how many were posted. An attempt that failed is tried again on a later run of the same week."""
    now, sent = tally.clock.now(), 0
    poster = without_blind_retries(client)
    for member in tally.members.in_role(Role.MANAGER.value):
        manager = tally.actor_for(member.slack_user_id)
        if manager is None:
            continue
        local = now.astimezone(manager.tz)
        week = iso_week(local.date())
        due = local.weekday() == 0 and local.hour >= DIGEST_HOUR
        claim = tally.digests.claim(manager.user_id, week, now=now, may_start=due)
        if claim is None:
            continue
        try:
            sent += _send(tally, poster, outbox, manager, claim)
        except Exception as exc:
            log.exception("weekly digest %s for %s failed; the next run tries again", week, manager.user_id)
            tally.digests.release(manager.user_id, week, repr(exc))
    return sent


def _send(tally: Tally, client: Any, outbox: Outbox, manager: Actor, claim: DigestClaim) -> int:
    dm = client.conversations_open(users=manager.user_id)["channel"]["id"]
    payload = {"manager": manager.user_id, "week": claim.week}
    since = tally.clock.now() - timedelta(days=8)
    if claim.taken_over and (ts := posted_before(client, dm, METADATA_TYPE, payload.__eq__, since)) is not None:
        log.info("weekly digest %s for %s was posted before; marked sent", claim.week, manager.user_id)
        tally.digests.mark_sent(manager.user_id, claim.week, dm, ts)
        return 0
    blocks, ageing = digest_blocks(tally, manager, outbox)
    posted = client.chat_postMessage(channel=dm, blocks=blocks, text=f"Receivables digest, week {claim.week}",
                                     metadata={"event_type": METADATA_TYPE, "event_payload": payload})
    tally.digests.mark_sent(manager.user_id, claim.week, dm, posted["ts"])
    try:  # the digest is out; its chart is a bonus that must not make it count as failed
        client.files_upload_v2(channel=dm, thread_ts=posted["ts"], content=ageing_chart(ageing),
                               filename=f"ageing-{claim.week}.png", title=f"AR ageing, week {claim.week}")
    except Exception:
        log.warning("ageing chart of digest %s for %s failed", claim.week, manager.user_id, exc_info=True)
    return 1

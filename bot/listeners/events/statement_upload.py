"""A bank statement uploaded to a DM with Tally (`file_shared`) is imported, and the uploader gets the
statement's card there. Collectors and managers only; other files in DMs are left alone."""

from __future__ import annotations

import urllib.request
from logging import Logger

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.blocks import error_text
from bot.blocks.bank_statements import statement_blocks, statement_text
from core.errors import TallyError
from core.roles import Role
from tools.cash_application import import_statement

STATEMENT_TYPES = ("xml", "sta", "mt940", "940", "csv", "txt")
MAX_BYTES = 5_000_000


def _download(client: WebClient, url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (Slack's own file URL)
        return response.read(MAX_BYTES + 1)


def import_uploaded_statement(event: dict, context: BoltContext, client: WebClient, logger: Logger) -> None:
    actor, tally, channel = context.get("actor"), context["tally"], event.get("channel_id", "")
    if actor is None or actor.role not in (Role.COLLECTOR, Role.MANAGER) or not channel.startswith("D"):
        return
    info = client.files_info(file=event["file_id"])["file"]
    name = info.get("name") or "statement"
    if name.rsplit(".", 1)[-1].lower() not in STATEMENT_TYPES:
        return
    data = _download(client, info.get("url_private_download") or info["url_private"])
    if len(data) > MAX_BYTES:
        client.chat_postMessage(channel=channel, text=f"{name} is larger than 5 MB; import it with "
                                                      "`python app.py import bank FILE`.")
        return
    try:
        report = import_statement(tally, actor, data, name)
    except TallyError as exc:
        client.chat_postMessage(channel=channel, text=error_text(exc))
        return
    logger.info("statement %s imported by %s: %s", name, actor.user_id, report.counts)
    client.chat_postMessage(channel=channel, text=statement_text(report), blocks=statement_blocks(report))

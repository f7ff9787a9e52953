"""Putting answers in front of people in Slack: cards in the request's thread, charts (PNG) and documents (PDF)
as file uploads."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from bot.blocks import blocks_for, error_card, fallback_text
from bot.blocks.charts import ageing_chart, sales_chart
from bot.blocks.elements import MAX_BLOCKS, escape_keeping, section
from bot.blocks.forecast import forecast_chart
from tools import Outcome, Proposal
from tools.documents.files import DocumentFile
from tools.forecast import CashForecast
from tools.reports import AgeingReport, SalesSummary

log = logging.getLogger(__name__)
THINKING = "_Working on it…_"


@dataclass(frozen=True)
class Notice:
    """A plain message: a question back, a refusal, an error, or chatter. Its text is shown as written:
    the model's words and the data in a message are never Slack markup; only `people`, the members the
    text names by code (<@U0SALES1>), stay mentions."""

    text: str
    hint: str | None = None
    error: bool = False
    people: tuple[str, ...] = ()


@dataclass(frozen=True)
class Replaced(Notice):
    """An earlier proposal in the thread that the newest one amends: said in the thread, and its card
    (if it was posted in Slack) is turned into a cancelled one."""

    outcome: Outcome | None = None


Item = BaseModel | Proposal | Notice


def blocks_of(item: Item, tz: str, tables: bool = False) -> tuple[list[dict], str]:
    """The blocks and the message `text` (notifications, screen readers), both escaped for Slack; `tables`:
    lists as Slack's table block (a message, in a workspace that shows them)."""
    if isinstance(item, Notice):
        if item.error:
            return error_card(item.text, item.hint, item.people), escape_keeping(item.text, item.people)[:300]
        text = escape_keeping(item.text + (f"\n{item.hint}" if item.hint else ""), item.people)
        return [section(text)], text[:300]
    return blocks_for(item, tz=tz, tables=tables), fallback_text(item)


@dataclass
class Thread:
    """Where a conversation happens; the first answer replaces the 'working on it' placeholder."""

    client: Any
    channel: str
    thread_ts: str | None
    placeholder_ts: str | None = None
    streamed: bool = False  # the first message is a stream (see bot/streaming.py), not a placeholder
    tables: bool = False  # lists as Slack's table block

    def start(self) -> None:
        response = self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts, text=THINKING)
        self.placeholder_ts = response["ts"]

    def show(self, items: list[Item], tz: str, closing: list[dict] | None = None) -> list[str]:
        """Post each item (the first one in place of the placeholder); return the message timestamps.
        `closing` blocks (the feedback buttons) end the last message, or follow it when it is full."""
        stamps = []
        items = items or [Notice("Done.")]
        for index, item in enumerate(items):
            blocks, text = blocks_of(item, tz, self.tables)
            if closing and index == len(items) - 1 and len(blocks) + len(closing) <= MAX_BLOCKS:
                blocks, closing = [*blocks, *closing], None
            stamps.append(self.put(blocks, text))
        if closing:
            self.put(closing, "Was this answer useful?")
        upload_files(self.client, self.channel, self.thread_ts, items)
        return stamps

    def put(self, blocks: list[dict], text: str) -> str:
        """One message of the answer: the placeholder updated, or a new post in the thread."""
        if self.placeholder_ts:
            ts, self.placeholder_ts = self.placeholder_ts, None
            self.client.chat_update(channel=self.channel, ts=ts, text=text, blocks=blocks)
            return ts
        response = self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts, text=text,
                                                blocks=blocks)
        return response["ts"]

    def fail(self, text: str, hint: str | None = None, closing: list[dict] | None = None) -> None:
        self.show([Notice(text, hint, error=True)], "UTC", closing)


def file_for(item: Item) -> tuple[bytes, str] | None:
    """The file that goes with an answer: a report's chart, or the document asked for."""
    if isinstance(item, DocumentFile):
        return item.content, item.filename
    if isinstance(item, AgeingReport):
        return ageing_chart(item), f"ageing-{item.as_of}.png"
    if isinstance(item, CashForecast):
        return forecast_chart(item), f"cash-forecast-{item.as_of}.png"
    if isinstance(item, SalesSummary):
        return sales_chart(item), f"sales-{item.start}-{item.end}-by-{item.group_by}.png"
    return None


def upload_files(client: Any, channel: str, thread_ts: str | None, items: list[Item]) -> None:
    for item in items:
        found = file_for(item)
        if found is None:
            continue
        content, filename = found
        try:
            client.files_upload_v2(channel=channel, thread_ts=thread_ts, content=content, filename=filename,
                                   title=title_of(filename))
        except Exception:  # the card already answered; a missing file is worth a log line, not a failure
            log.warning("file upload failed in %s", channel, exc_info=True)


def title_of(filename: str) -> str:
    """ageing-2026-11-24.png -> "ageing 2026 11 24"; a document keeps its number: INV-2026-00042."""
    if filename.endswith(".pdf"):
        return filename.removesuffix(".pdf")
    return filename.removesuffix(".png").replace("-", " ")

"""Acknowledge first: Slack wants an answer within 3 seconds; the work runs in lazy listeners."""

from typing import Any


def ack_now(ack: Any) -> None:
    ack()

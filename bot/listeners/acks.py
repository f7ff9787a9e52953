"""Acknowledge first: Slack wants an answer within 3 seconds; the work runs in lazy listeners."""

from slack_bolt import Ack


def ack_now(ack: Ack) -> None:
    ack()

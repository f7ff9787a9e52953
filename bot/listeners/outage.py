"""When the database cannot be reached, a request still gets an answer, where it was asked: nothing was
changed (one transaction per tool call), try again. Slack still gets its ack, so it does not retry."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from logging import Logger
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from tools import is_outage

OUTAGE = "Sorry, I could not reach the database, so nothing was changed. Please try again in a minute."
_GIVEN = ("ack", "body", "context", "client", "logger", "respond", "view", "event", "command", "action")


def _form_error(body: dict) -> dict | None:
    """A modal's answer that keeps it open with the message under its first field, so nothing typed is lost."""
    values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    return {"response_action": "errors", "errors": {next(iter(values)): OUTAGE}} if values else None


def tell_outage(body: dict, client: WebClient, logger: Logger) -> None:
    event = body.get("event") or {}
    user = (body.get("user") or {}).get("id") or body.get("user_id") or event.get("user")
    try:
        url = body.get("response_url")
        if url and (body.get("command") or body.get("type") == "block_actions"):
            WebhookClient(url).send(text=OUTAGE, response_type="ephemeral", replace_original=False)
        elif event.get("type") in ("app_mention", "message"):
            if not (event.get("bot_id") or event.get("subtype")):
                client.chat_postMessage(channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"],
                                        text=OUTAGE)
        elif event.get("type") == "app_home_opened":
            client.views_publish(user_id=user, view={"type": "home", "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": OUTAGE}}]})
        elif event.get("type") == "assistant_thread_started":
            thread = event.get("assistant_thread") or {}
            client.chat_postMessage(channel=thread["channel_id"], thread_ts=thread["thread_ts"], text=OUTAGE)
        elif user:
            dm = client.conversations_open(users=user)["channel"]["id"]
            client.chat_postMessage(channel=dm, text=OUTAGE)
    except Exception:  # Slack failing too: the log is all that is left
        logger.warning("could not tell %s that the database is down", user, exc_info=True)


def outage_response(body: dict, client: WebClient, logger: Logger, exc: BaseException) -> BoltResponse:
    """For middleware, before any listener ran: the request's own answer, and a word to the person."""
    logger.error("database unreachable: %r", exc)
    if body.get("type") == "view_submission" and (errors := _form_error(body)) is not None:
        return BoltResponse(status=200, body=errors)
    tell_outage(body, client, logger)
    return BoltResponse(status=200, body="")


def answers_outage(listener: Callable[..., None]) -> Callable[..., None]:
    """The listener, answering the person when the database fails under it. Bolt injects arguments by
    name, so the wrapper asks for all it may need and hands the listener only the ones it takes."""
    wanted = set(inspect.signature(listener).parameters)

    def run(ack: Ack, body: dict, context: BoltContext, client: WebClient, logger: Logger, respond: Respond,
            view: Any, event: Any, command: Any, action: Any, request: Any) -> None:
        given = dict(zip(_GIVEN, (ack, body, context, client, logger, respond, view, event, command, action),
                         strict=True))
        try:
            listener(**{name: value for name, value in given.items() if name in wanted})
        except Exception as exc:
            if not is_outage(exc):
                raise
            logger.error("database unreachable in %s: %r", listener.__name__, exc)
            if not request.lazy_only and ack.response is None:  # the listener had not answered Slack yet
                errors = _form_error(body) if body.get("type") == "view_submission" else None
                if errors is not None:
                    ack(**errors)
                    return
                ack()
            tell_outage(body, client, logger)

    run.__name__, run.__qualname__, run.__doc__ = listener.__name__, listener.__qualname__, listener.__doc__
    return run

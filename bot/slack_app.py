"""The Bolt app: a WebClient that retries, middleware that maps users, and the listeners."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.listeners import register_listeners
from bot.middleware import attach_actor
from tools import Tally

log = logging.getLogger(__name__)


def slack_client(token: str, base_url: str) -> WebClient:
    """slack_sdk retries connection errors by default but not HTTP 429: add that, honouring Retry-After."""
    client = WebClient(token=token, base_url=base_url)
    client.retry_handlers = [ConnectionErrorRetryHandler(max_retry_count=2),
                             RateLimitErrorRetryHandler(max_retry_count=5)]
    return client


def create_app(tally: Tally, client: WebClient, signing_secret: str, conversation: Any = None, *,
               tables: bool = True, answer_queue: Any = None, answers_here: bool = False) -> App:
    """`tables`: lists in messages as Slack's table block; off for workspaces whose clients do not show it.
    `answer_queue`: a web worker's, where mentions and DMs go for the answer workers. `answers_here`: an
    answer worker's app, which runs each listener to its end before dispatch returns."""
    app = App(client=client, signing_secret=signing_secret, process_before_response=answers_here)

    @app.middleware
    def provide_services(context: Any, next: Any) -> Any:  # listeners find the service layer in context
        context["tally"] = tally
        context["conversation"] = conversation
        context["tables"] = tables
        context["answer_queue"] = answer_queue
        return next()

    app.use(attach_actor)
    register_listeners(app)

    @app.error
    def report(error: Exception, body: dict, logger: Any) -> None:
        logger.error("unhandled error for %s: %r", (body or {}).get("type"), error, exc_info=error)

    return app

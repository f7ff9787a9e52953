"""From what someone typed to what Tally shows: a command runs its tool with no model call; anything
else goes to the conversation turn when a model is configured."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel

from bot.command_forms import USAGE, Command, Help, help_text
from bot.delivery import Item, Notice, Replaced
from bot.grammar import PARSERS, parse
from core.errors import Ambiguous, InvalidInput, NotFound, TallyError
from core.mentions import SLACK_MENTION
from tools import Actor, Proposal, Tally
from tools.registry import get

if TYPE_CHECKING:
    from bot.agent.turn import Conversation, Reply, ToolWatcher

_ENTITY = re.compile(r"&(amp|lt|gt);")
_DECODED = {"amp": "&", "lt": "<", "gt": ">"}
NO_MODEL = ("Plain language needs a language model, and none is configured here. These commands work "
            "without one:")


def execute(tally: Tally, actor: Actor, command: Command, request_key: str | None = None) -> BaseModel | Proposal:
    """Reads run now; writes come back as a proposal waiting for a confirmation (the same one again for
    a repeat of the same `request_key`). A refused argument comes back with the command's usage, so the
    person sees what to type instead."""
    try:
        if get(command.tool).is_write:
            return tally.propose(actor, command.tool, command.args, request_key=request_key)
        return tally.read(actor, command.tool, command.args)
    except InvalidInput as exc:
        if not exc.hint and command.verb in USAGE:
            exc.hint = "Usage: " + USAGE[command.verb]
        raise


def is_command(text: str) -> bool:
    words = text.split()
    return bool(words) and words[0].lower().lstrip("/") in {*PARSERS, "tally"}


def run_command(tally: Tally, actor: Actor, text: str, *, model: bool) -> BaseModel | Proposal | Help | None:
    """The one routing rule of every front end. A line runs as a command only when it parses completely
    and its arguments are found: its result, proposal or help. Otherwise, with a model, None: the line
    is plain language for the model ("remind me about INV-... on Monday", "credit for the new customer");
    without one, the grammar's specific error (a TallyError). A refusal is always the answer."""
    if not is_command(text):
        return None
    try:
        command = parse(text, tally.clock.now().astimezone(actor.tz).date(), tally.rules.currency)
        return command if isinstance(command, Help) else execute(tally, actor, command)
    except (NotFound, Ambiguous, InvalidInput):
        if model:
            return None
        raise


def from_slack(text: str, bot_user_id: str | None) -> str:
    """Slack's text as the person meant it: the bot's own mention dropped, other mentions kept as the
    person's id (<@U0COLL1>, without the display name), and Slack's &amp; &lt; &gt; decoded, once."""
    def mention(match: re.Match) -> str:
        return "" if match.group(1) == bot_user_id else f"<@{match.group(1)}>"

    text = SLACK_MENTION.sub(mention, text)
    return _ENTITY.sub(lambda match: _DECODED[match.group(1)], text).strip()


def answer_command(tally: Tally, actor: Actor, text: str) -> list[Item]:
    """A `/tally` command, with its text as Slack sends it (escaped, people as <@U…|name>): the grammar
    only, so a line that is not a command gets the grammar's own error."""
    text = from_slack(text, None)
    if not is_command(text):
        text = f"tally {text}"  # "/tally wat": the unknown command is named, with the list of commands
    return _items(tally, actor, text, model=False) or []


def _items(tally: Tally, actor: Actor, text: str, *, model: bool) -> list[Item] | None:
    try:
        done = run_command(tally, actor, text, model=model)
    except TallyError as exc:
        return [Notice(exc.message, exc.hint, error=True, people=exc.people)]
    if isinstance(done, Help):
        return [Notice(f"```{help_text(done.topic)}```")]
    return None if done is None else [done]


@dataclass(frozen=True)
class Answer:
    items: list[Item]
    turn_id: int | None = None  # set when the agent answered: the turn that feedback on it refers to


def answer_text(tally: Tally, actor: Actor, conversation: Conversation | None, thread_key: str,
                text: str, *, bot_user_id: str | None, on_tool: ToolWatcher | None = None) -> Answer:
    """A mention or DM, with its text as Slack sends it; `bot_user_id` is Tally's own, from Bolt's context.
    `on_tool` hears of the agent's tool calls as they happen."""
    text = from_slack(text, bot_user_id)
    items = _items(tally, actor, text, model=conversation is not None)
    if items is not None:
        return Answer(items)
    if conversation is None:
        return Answer([Notice(NO_MODEL, f"```{help_text()}```")])
    reply = conversation.handle_turn(actor, thread_key, text, on_tool=on_tool)
    return Answer(items_from_reply(reply), reply.turn_id)


def items_from_reply(reply: Reply) -> list[Item]:
    if reply.status == "failed":
        return [Notice(reply.text, error=True)]
    items: list[Item] = [Replaced(f"Replaced your earlier proposal, which was not done: {old.summary}", outcome=old)
                         for old in reply.replaced]
    for outcome in reply.results:
        if outcome.proposal is not None:
            items.append(outcome.proposal)
        elif outcome.result is not None:
            items.append(outcome.result)
        else:
            items.append(Notice(outcome.message, error=outcome.kind in ("refusal", "error"), people=outcome.people))
    return items or [Notice(reply.text)]

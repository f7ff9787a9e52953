"""The Split… form submitted: the line's money goes to the invoices given, as the person who submitted.
Keyed by the view, so a form submitted twice (Slack did not get our answer in time) splits once; a refusal
goes back into the form, on the field at fault."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.elements import escape
from bot.listeners.views.reminders import tell, view_key
from bot.split_modal import field_blocks, submitted_parts
from core.errors import InvalidInput, TallyError

MAX_ERROR = 150  # Slack shows a field's error up to about this length


def submit_split(ack: Ack, body: dict, view: dict, context: BoltContext, client: WebClient) -> None:
    tally, actor = context["tally"], context["actor"]
    blocks = field_blocks(view)
    try:
        line_id, parts = submitted_parts(view)
        outcome = tally.run_now(actor, "split_statement_line", {"line_id": line_id, "parts": parts},
                                key=view_key(view))
    except TallyError as exc:
        fields = exc.fields if isinstance(exc, InvalidInput) else {}
        errors = {blocks[k]: v[:MAX_ERROR] for k, v in fields.items() if k in blocks}
        ack(response_action="errors", errors=errors or {next(iter(blocks.values())): str(exc)[:MAX_ERROR]})
        return
    ack()
    if outcome.status == "done":
        again = " Submitting the form again changed nothing." if outcome.already else ""
        tell(client, actor.user_id, f"✅ {escape(outcome.summary)} `line {line_id} undo` undoes it.{again}")
    else:
        tell(client, actor.user_id, f"Not done: {escape(outcome.error or 'the split did not go through.')}")

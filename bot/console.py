"""`python app.py console`: the command grammar (and, with a model, plain language) in a terminal.

On a terminal it prompts; on piped input it reads one request per line and exits at the end (or at
`exit`). A write prints what will happen and waits for `y`; anything else cancels it. Where Slack
would show a mention, the console shows the member's name."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pydantic import BaseModel

from bot.answers import run_command
from bot.blocks.console_text import render_error
from bot.blocks.views import render
from bot.command_forms import Help, help_text
from core.errors import InvalidInput, TallyError
from tools import Actor, Proposal, Tally
from tools.documents.files import DocumentFile

if TYPE_CHECKING:
    from bot.agent.turn import Reply

NO_MODEL_NOTE = ("That is not a command. Plain language needs a model: set TALLY_MODEL, OPENAI_API_KEY "
                 "and OPENAI_BASE_URL (see .env.example).")
YES = {"y", "yes", "是", "确认"}
NO = {"n", "no", "否", "取消"}
EXIT = {"exit", "quit", "q", "bye", "退出"}
EXIT_HELP = "  " + "exit (or quit, q, bye)".ljust(39) + "leave the console"
NOTHING_PENDING = "There is nothing to confirm: no change is waiting for a yes or no."
MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
UNEXPECTED = ("Something went wrong with that request ({kind}); it was not completed. The details are in "
              "the log. Try again, or another command (type 'help').")
log = logging.getLogger(__name__)


@dataclass
class Console:
    tally: Tally
    actor: Actor
    out: TextIO
    agent: Callable[[str], Reply] | None = None  # plain language, when a model is configured
    pending: list[Proposal] = field(default_factory=list)
    done: bool = False  # the person said exit
    names: dict[str, str] = field(default_factory=dict)  # Slack user id -> "Name (id)"
    files_dir: Path | None = None  # where documents asked for are written (the data folder's documents/)

    def say(self, text: str) -> None:
        self.out.write(MENTION.sub(lambda m: self._member(m[1]), text).rstrip() + "\n")
        self.out.flush()

    def _member(self, user_id: str) -> str:
        if user_id not in self.names:
            member = self.tally.actor_for(user_id)
            self.names[user_id] = f"{member.name} ({user_id})" if member and member.name else user_id
        return self.names[user_id]

    def handle(self, line: str) -> None:
        """One line typed; whatever goes wrong is logged and said in a line, and the console reads on."""
        try:
            self._handle(line)
        except Exception as exc:
            log.exception("console request failed for %s", self.actor.user_id)
            self.say(UNEXPECTED.format(kind=type(exc).__name__))

    def _handle(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        word = line.lower()
        if self.pending:
            proposals, self.pending = self.pending, []
            confirm = word in YES
            for proposal in proposals:
                self._decide(proposal, confirm=confirm)
            if confirm or word in NO:
                return
        if word in EXIT:
            self.done = True
            return
        if word in YES | NO:
            return self.say(NOTHING_PENDING)
        try:
            self._request(line)
        except TallyError as exc:
            self.say(render_error(exc))

    def _request(self, line: str) -> None:
        answer = run_command(self.tally, self.actor, line, model=self.agent is not None)
        if isinstance(answer, Help):
            return self.say(help_text(answer.topic) + ("" if answer.topic else "\n" + EXIT_HELP))
        if answer is not None:
            return self.show(answer)
        if self.agent is None:
            return self.say(NO_MODEL_NOTE + "\n" + help_text())
        self._ask_agent(line)

    def _ask_agent(self, line: str) -> None:
        reply = self.agent(line)
        if reply.status == "failed" or not reply.proposals:
            self.say(reply.text)
            return self._save([o.result for o in reply.results if o.result is not None])
        # The model's words may come first; what is confirmed is each proposal's own summary, right above.
        shown = [reply.said] if reply.said else []
        shown += [render(o.result) if o.result is not None else o.message
                  for o in reply.results if o.proposal is None]
        self.pending = list(reply.proposals)
        self.say("\n\n".join([*shown, confirmation(self.pending)]))
        self._save([o.result for o in reply.results if o.result is not None])

    def show(self, answer: BaseModel | Proposal) -> None:
        if isinstance(answer, Proposal):
            self.pending = [answer]
            self.say(confirmation(self.pending))
        else:
            self.say(render(answer))
            self._save([answer])

    def _save(self, results: list[BaseModel]) -> None:
        """A document asked for is written as a file, and its path said."""
        for result in results:
            if isinstance(result, DocumentFile):
                folder = self.files_dir or Path.cwd()
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / result.filename
                path.write_bytes(result.content)
                self.say(f"Saved: {path}")

    def _decide(self, proposal: Proposal, confirm: bool) -> None:
        try:
            outcome = (self.tally.confirm if confirm else self.tally.cancel)(self.actor, proposal.pending_id)
        except TallyError as exc:
            return self.say(render_error(exc))
        except Exception as exc:  # one proposal failing must not leave the others of the set undecided
            log.exception("console decision failed for %s", self.actor.user_id)
            return self.say(UNEXPECTED.format(kind=type(exc).__name__))
        if outcome.status == "done":
            self.say(render(outcome.result))
        elif outcome.status == "failed":
            self.say(render_error(InvalidInput(outcome.error or "It did not go through.")))
        else:
            self.say("Cancelled: nothing was changed." if outcome.status == "cancelled" else outcome.error or "")

    def finish(self) -> None:
        """End of input with a question open: nothing is written."""
        for proposal in self.pending:
            self._decide(proposal, confirm=False)
        self.pending = []


def confirmation(proposals: list[Proposal]) -> str:
    """The stored summaries of what `y` will run, the question last: one proposal, or a numbered set."""
    if len(proposals) == 1:
        return f"{proposals[0].summary}\nConfirm? [y/N]"
    n = len(proposals)
    listed = "\n".join(f"{i}. {p.summary}" for i, p in enumerate(proposals, 1))
    return f"These {n} changes are confirmed or cancelled together:\n{listed}\nConfirm all {n}? [y/N]"


def run_lines(console: Console, lines: Iterable[str]) -> None:
    for line in lines:
        console.handle(line)
        if console.done:
            break
    console.finish()


def run_interactive(console: Console) -> None:
    console.say(f"Tally console as {console.actor.name} ({console.actor.role.value}). "
                "Type 'help' for commands, 'exit' to quit.")
    while True:
        try:
            line = input("" if console.pending else "tally> ")
        except (EOFError, KeyboardInterrupt):
            console.say("")
            break
        console.handle(line)
        if console.done:
            break
    console.finish()

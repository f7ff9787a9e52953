"""`python app.py console`: the command grammar (and, with a model, plain language) in a terminal.

On a terminal it prompts; on piped input it reads one request per line and exits at the end.
A write prints what will happen and waits for `y`; anything else cancels it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TextIO

from bot.grammar import PARSERS, Command, Help, help_text, parse
from bot.text_views import render, render_error
from core.errors import InvalidInput, TallyError
from tools import Actor, Proposal, Tally
from tools.registry import get

NO_MODEL_NOTE = ("That is not a command. Plain language needs a model: set TALLY_MODEL, OPENAI_API_KEY "
                 "and OPENAI_BASE_URL (see .env.example).")
YES = {"y", "yes", "是", "确认"}


@dataclass
class Console:
    tally: Tally
    actor: Actor
    out: TextIO
    fallback: Callable[[str], str] | None = None  # plain language, when a model is configured
    pending: Proposal | None = None

    def say(self, text: str) -> None:
        self.out.write(text.rstrip() + "\n")
        self.out.flush()

    def handle(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        if self.pending is not None:
            proposal, self.pending = self.pending, None
            if line.lower() in YES:
                return self._decide(proposal, confirm=True)
            self._decide(proposal, confirm=False)
            if line.lower() in {"n", "no", "否", "取消"}:
                return
        try:
            self._request(line)
        except TallyError as exc:
            self.say(render_error(exc))

    def _request(self, line: str) -> None:
        verb = line.split()[0].lower().lstrip("/")
        if verb not in PARSERS and verb != "tally":
            if self.fallback is not None:
                return self.say(self.fallback(line))
            return self.say(NO_MODEL_NOTE + "\n" + help_text())
        command = parse(line, self.tally.clock.now().astimezone(self.actor.tz).date())
        if isinstance(command, Help):
            return self.say(help_text(command.topic))
        self.run(command)

    def run(self, command: Command) -> None:
        if get(command.tool).is_write:
            self.pending = self.tally.propose(self.actor, command.tool, command.args)
            self.say(self.pending.summary + "\nConfirm? [y/N]")
        else:
            self.say(render(self.tally.read(self.actor, command.tool, command.args)))

    def _decide(self, proposal: Proposal, confirm: bool) -> None:
        try:
            outcome = (self.tally.confirm if confirm else self.tally.cancel)(self.actor, proposal.pending_id)
        except TallyError as exc:
            return self.say(render_error(exc))
        if outcome.status == "done":
            self.say(render(outcome.result))
        elif outcome.status == "failed":
            self.say(render_error(InvalidInput(outcome.error or "It did not go through.")))
        else:
            self.say("Cancelled: nothing was changed." if outcome.status == "cancelled" else outcome.error or "")

    def finish(self) -> None:
        """End of input with a question open: nothing is written."""
        if self.pending is not None:
            self._decide(self.pending, confirm=False)
            self.pending = None


def run_lines(console: Console, lines: Iterable[str]) -> None:
    for line in lines:
        console.handle(line)
    console.finish()


def run_interactive(console: Console) -> None:
    console.say(f"Tally console as {console.actor.name} ({console.actor.role.value}). "
                "Type 'help' for commands, Ctrl-D to quit.")
    while True:
        try:
            line = input("tally> " if console.pending is None else "")
        except (EOFError, KeyboardInterrupt):
            console.say("")
            break
        console.handle(line)
    console.finish()

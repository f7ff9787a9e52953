"""One exception tree; each message is meant to be read by the person who asked.

    TallyError
     ├── InvalidInput       the request is malformed (bad date, negative quantity)
     ├── NotFound           no such customer / product / invoice / order
     ├── Ambiguous          a loose name matched several records
     ├── NotAllowed         the user's role or ownership does not permit it
     └── Conflict           the record is in the wrong state (already paid, already confirmed)
          └── InsufficientStock
"""

from __future__ import annotations

from collections.abc import Iterable


def clip(text: str, most: int = 40) -> str:
    """What someone typed, quoted back in a message: cut when longer than a message should quote."""
    return text if len(text) <= most else text[:most] + "…"


class TallyError(Exception):
    """Base of all errors a user may see. `hint` says what would work instead; `people` are the members the
    message names by their Slack id (<@U0SALES1>), which Slack may show as mentions (any other text is data)."""

    code = "error"

    def __init__(self, message: str, *, hint: str | None = None, candidates: list[str] | None = None,
                 people: Iterable[str] = ()):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.candidates = candidates or []
        self.people = tuple(people)

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class InvalidInput(TallyError):
    """`fields` maps each argument at fault to what is wrong with it, for forms that mark the field."""

    code = "invalid_input"

    def __init__(self, message: str, *, hint: str | None = None, candidates: list[str] | None = None,
                 fields: dict[str, str] | None = None, people: Iterable[str] = ()):
        super().__init__(message, hint=hint, candidates=candidates, people=people)
        self.fields = fields or {}


class NotFound(TallyError):
    code = "not_found"


class Ambiguous(TallyError):
    code = "ambiguous"


class NotAllowed(TallyError):
    code = "not_allowed"


class Conflict(TallyError):
    code = "conflict"


class InsufficientStock(Conflict):
    code = "insufficient_stock"

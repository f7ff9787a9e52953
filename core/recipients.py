"""Who a dunning stage goes to, decided when it is queued and again right before it is sent: a customer
may have changed hands in between, or its rep or collector may have left."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

# The role a member plays for a customer, guessed from their Tally role when nothing else tells.
PLAYS = {"sales": "rep", "collector": "collector", "manager": "manager"}


@dataclass(frozen=True)
class Holders:
    """Who holds each stage role for one customer now; only active members count."""

    rep: str | None
    collector: str | None
    managers: Sequence[str]  # active managers, sorted: the first stands in for a missing collector
    active: Collection[str]

    def of(self, role: str) -> list[str]:
        if role == "rep":
            people = [self.rep]
        elif role == "collector":
            people = [self.collector or (self.managers[0] if self.managers else None)]
        else:
            people = list(self.managers)
        return [p for p in people if p is not None and p in self.active]

    def for_stage(self, roles: Sequence[str]) -> list[str]:
        return sorted({p for role in roles for p in self.of(role)})


@dataclass(frozen=True)
class Decision:
    recipient: str | None  # None: send to nobody
    reason: str | None = None  # why it is skipped, or why it goes to someone else


def recipient_now(named: str, roles: Sequence[str] | None, holders: Holders, named_role: str | None,
                  others: Collection[str]) -> Decision:
    """Who gets a reminder queued for `named` now.

    `roles` are the stage's recipient roles (None for a reminder a person scheduled: it goes to whoever
    was named, unless they left). `named_role` is the named member's Tally role, `others` the people
    who already have a row of the same invoice and stage. Someone who still holds one of the stage's
    roles keeps it; otherwise it goes to the one holder of that role who has no row yet, or to nobody."""
    if roles is None:
        return Decision(named) if named in holders.active else Decision(None, f"{named} is no longer a member")
    if named in holders.for_stage(roles):
        return Decision(named)
    left = "is no longer a member" if named not in holders.active else "no longer handles this customer"
    free = [p for p in holders.for_stage(roles) if p not in others]
    if len(free) > 1 and named_role in PLAYS and PLAYS[named_role] in roles:
        free = [p for p in holders.of(PLAYS[named_role]) if p not in others]
    if len(free) == 1:
        return Decision(free[0], f"{named} {left}; now {free[0]}'s")
    return Decision(None, f"{named} {left}" + ("" if not free else f"; unclear who of {', '.join(free)} takes it"))

"""find_customer: who is who, by loose name or code."""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import func, or_, select

from db.models import Customer
from tools.context import ToolContext
from tools.registry import ALL_ROLES, tool
from tools.schemas import Args, Money, Result


class CustomerMatch(Result):
    code: str
    name: str
    owner_rep: str | None
    collector: str | None
    payment_terms_days: int
    credit_limit: Money | None  # hidden from salespeople for customers they do not own
    on_hold: bool
    yours: bool


class CustomerMatches(Result):
    query: str
    matches: list[CustomerMatch]
    more: int = 0  # how many more matched than are listed


MATCH_LIMIT = 10


class FindCustomerArgs(Args):
    query: str = Field(min_length=1, max_length=100, description="part of a name or code")


@tool("read", ALL_ROLES)
def find_customer(ctx: ToolContext, args: FindCustomerArgs) -> CustomerMatches:
    """Look up customers by part of their name or code."""
    text = args.query.lower()
    matching = or_(func.lower(Customer.code).contains(text), func.lower(Customer.name).contains(text))
    rows = ctx.session.scalars(select(Customer).where(matching).order_by(Customer.name).limit(MATCH_LIMIT)).all()
    matched = ctx.session.scalar(select(func.count()).select_from(Customer).where(matching))
    matches = [
        CustomerMatch(code=c.code, name=c.name, owner_rep=c.owner_rep, collector=c.collector,
                      payment_terms_days=c.payment_terms_days,
                      credit_limit=c.credit_limit if ctx.can_see(c) else None, on_hold=c.on_hold,
                      yours=c.owner_rep == ctx.actor.user_id)
        for c in rows
    ]
    ctx.viewed("customer", [m.code for m in matches])
    return CustomerMatches(query=args.query, matches=matches, more=max(matched - len(matches), 0))

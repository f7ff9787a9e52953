"""The typed tools (the service layer). Importing this package registers every tool."""

from db.session import is_outage
from tools import (  # noqa: F401
    collections,
    corrections,
    credit,
    credit_notes,
    customer_records,
    customers,
    forecast,
    invoices,
    orders,
    payments,
    reports,
    shipments,
    statement_review,
    statement_split,
    unapplied_cash,
)
from tools.context import Actor, Clock, FixedClock, Rules, SystemClock, TickingClock, ToolContext
from tools.documents import chain, files  # noqa: F401
from tools.registry import REGISTRY, ToolSpec
from tools.service import Outcome, Proposal, Tally

__all__ = ["Actor", "Clock", "FixedClock", "Outcome", "Proposal", "REGISTRY", "Rules", "SystemClock", "Tally",
           "TickingClock", "ToolContext", "ToolSpec", "is_outage"]

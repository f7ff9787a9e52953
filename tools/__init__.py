"""The typed tools (the service layer). Importing this package registers every tool."""

from db.session import is_outage
from tools import collections, credit, customers, invoices, orders, payments, reports, statement_review, unapplied_cash  # noqa: F401
from tools.context import Actor, Clock, FixedClock, Rules, SystemClock, TickingClock, ToolContext
from tools.registry import REGISTRY, ToolSpec
from tools.service import Outcome, Proposal, Tally

__all__ = ["Actor", "Clock", "FixedClock", "Outcome", "Proposal", "REGISTRY", "Rules", "SystemClock", "Tally",
           "TickingClock", "ToolContext", "ToolSpec", "is_outage"]

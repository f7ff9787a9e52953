"""Whose book a query covers: one filter that every report and the sales trend apply the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from db.models import Customer


@dataclass(frozen=True)
class Scope:
    """Whose book a report covers: everyone's, one salesperson's customers, or one customer's."""

    owner_rep: str | None = None
    customer_id: int | None = None

    def apply(self, query: Select, customer_fk: Any) -> Select:
        if self.customer_id is not None:
            query = query.where(customer_fk == self.customer_id)
        if self.owner_rep is None:
            return query
        return query.where(customer_fk.in_(select(Customer.id).where(Customer.owner_rep == self.owner_rep)))

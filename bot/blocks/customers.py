"""Customer look-up results."""

from __future__ import annotations

from bot.blocks.elements import escape, section
from bot.blocks.monospace import cut
from bot.blocks.paging import Request, footer, paginate
from bot.blocks.tables import MONOSPACE, Layout
from core.money import fmt
from tools.customers import CustomerMatches


def customers_blocks(r: CustomerMatches, page: int = 0, layout: Layout = MONOSPACE) -> list[dict]:
    if not r.matches:
        return [section(f"No customer matches “{escape(r.query)}”.")]
    shown = paginate(r.matches, page)
    rows = [[m.code, cut(m.name), m.owner_rep or "", f"{m.payment_terms_days}d",
             fmt(m.credit_limit) if m.credit_limit is not None else "—",
             "ON HOLD" if m.on_hold else "yours" if m.yours else ""] for m in shown.rows]
    title = f"*Customers matching “{escape(r.query)}”*"
    blocks = layout.table(title, ["code", "name", "owner", "terms", "limit", ""], rows, right={3, 4})
    blocks += footer(shown, Request("find_customer", {"query": r.query}))
    if r.more and not shown.has_next:
        blocks.append(section(f"… and {r.more} more not listed here; type more of the name to narrow it down."))
    return blocks


def customers_text(r: CustomerMatches) -> str:
    if not r.matches:
        return f"No customer matches {r.query!r}."
    if len(r.matches) == 1:
        return f"{r.matches[0].name} ({r.matches[0].code})."
    return (f"{len(r.matches) + r.more} customers match {r.query!r}: " + ", ".join(m.code for m in r.matches)
            + (", …" if r.more else "") + ".")

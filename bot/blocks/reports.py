"""Manager summaries: AR ageing, collections (DSO, CEI) and sales with margin."""

from __future__ import annotations

import re

from bot.blocks.elements import context, fields, header, section
from bot.blocks.monospace import cut, table_section
from bot.blocks.paging import Request, footer, paginate
from bot.blocks.sales_trend import TREND_RIGHT, first_trend, trend_headers, trend_rows, trend_title
from bot.blocks.tables import MONOSPACE, Layout
from core.ageing import BUCKET_LABELS, BUCKETS
from core.errors import InvalidInput
from core.money import fmt, ratio
from core.periods import parse_period
from tools.reports import AgeingReport, CollectionsSummary, SalesSummary


def ageing_request(r: AgeingReport) -> Request:
    args: dict = {"as_of": r.as_of.isoformat()}
    if r.group_by:
        args["group_by"] = r.group_by
    return Request("ar_ageing", args)


def ageing_blocks(r: AgeingReport, page: int = 0, layout: Layout = MONOSPACE) -> list[dict]:
    c, total = r.currency, r.total
    overdue = total.total - total.buckets["current"]
    blocks = [header(f"AR ageing as of {r.as_of}"),
              context(f"{r.scope} · by due date" + (f" · by {r.group_by}" if r.group_by else "") + f" · {c}"),
              *fields([("Outstanding", fmt(total.total, c)),
                       ("Overdue", f"{fmt(overdue, c)} ({ratio(overdue * 100, total.total, '1')}%)")])]
    headers = ["", *(BUCKET_LABELS[b] for b in BUCKETS), "Total"]

    def row(line) -> list[str]:
        return [cut(line.label, 20), *(fmt(line.buckets[b]) for b in BUCKETS), fmt(line.total)]

    right = set(range(1, len(headers)))
    if r.group_by is None:
        return [*blocks, *layout.table(f"_Amounts in {c}_", headers, [row(total)], right)]
    shown = paginate(r.rows, page)
    rows = [row(ln) for ln in shown.rows]
    blocks += layout.table(f"_Amounts in {c}_", headers, rows, right, totals=[row(total)])
    return blocks + footer(shown, ageing_request(r))


def collections_blocks(r: CollectionsSummary) -> list[dict]:
    c = r.currency
    return [
        header(f"Collections · {r.period}"),
        context(f"{r.start} to {r.end} · {r.scope} · {c}"),
        *fields([
            ("Receivables", fmt(r.ending_ar, c)), ("Overdue", f"{fmt(r.overdue_ar, c)} ({r.overdue_share}%)"),
            ("Credit sales", fmt(r.credit_sales, c)), ("Opening receivables", fmt(r.opening_ar, c)),
            ("DSO (simple)", f"{r.simple_dso} days"), ("DSO (countback)", f"{r.countback_dso} days"),
            ("Best possible DSO", f"{r.best_possible_dso} days"),
            ("Average days delinquent", f"{r.average_days_delinquent} days"),
            ("CEI", f"*{r.cei}%* collected of what could be"),
        ]),
    ]


def period_arg(r: SalesSummary) -> str | None:
    """The `period` argument that gives this summary's dates again, or None when none does."""
    label = r.period
    if label.endswith(" to date"):
        base = label.removesuffix(" to date")
        candidate = "this-quarter" if base.startswith("Q") else "this-year" if base.isdigit() else "this-month"
    else:
        candidate = re.sub(r"\s+", "-", label.strip().lower())
    try:
        # Relative periods end on the day they were asked, which is the summary's end.
        period = parse_period(candidate, r.end)
    except InvalidInput:
        return None
    return candidate if (period.start, period.end) == (r.start, r.end) else None


def sales_request(r: SalesSummary) -> Request | None:
    period = period_arg(r)
    if period is None:
        return None
    return Request("sales_summary", {"period": period, "group_by": r.group_by, "metric": r.metric})


def sales_blocks(r: SalesSummary, page: int = 0, layout: Layout = MONOSPACE) -> list[dict]:
    c, t = r.currency, r.total
    with_qty = r.group_by == "product"
    blocks = [header(f"Sales · {r.period}"),
              context(f"{r.start} to {r.end} · by {r.group_by}" + (f", ranked by {r.metric}"
                      if r.group_by != "month" else "") + f" · {r.scope} · {c}"),
              *fields([("Revenue", fmt(t.revenue, c)), ("Margin", f"{fmt(t.margin, c)} ({t.margin_pct}%)")])]
    if not r.rows:
        return [*blocks, section("No invoiced sales in this period.")]
    shown = paginate(r.rows, page)

    def row(line) -> list[str]:
        return ([cut(line.label), fmt(line.revenue), fmt(line.margin), f"{line.margin_pct}%"]
                + ([str(line.quantity)] if with_qty else []))

    headers = [r.group_by, "revenue", "margin", "margin %"] + (["qty"] if with_qty else [])
    rows, right = [row(ln) for ln in shown.rows], set(range(1, len(headers)))
    blocks += layout.table(f"_Amounts in {c}_", headers, rows, right, totals=[row(t)])
    if (trend := first_trend(r)) and (trends := trend_rows(shown.rows)):  # one table block a message: text
        blocks.append(table_section(f"_{trend_title(r)}_", trend_headers(trend), trends, TREND_RIGHT))
    return blocks + footer(shown, sales_request(r))


def ageing_text(r: AgeingReport) -> str:
    overdue = r.total.total - r.total.buckets["current"]
    return (f"AR ageing as of {r.as_of}: {fmt(r.total.total, r.currency)} outstanding, "
            f"{fmt(overdue, r.currency)} overdue.")


def collections_text(r: CollectionsSummary) -> str:
    return (f"Collections {r.period}: DSO {r.simple_dso} days (countback {r.countback_dso}), CEI {r.cei}%, "
            f"{fmt(r.overdue_ar, r.currency)} overdue.")


def sales_text(r: SalesSummary) -> str:
    return (f"Sales {r.period} by {r.group_by}: revenue {fmt(r.total.revenue, r.currency)}, "
            f"margin {fmt(r.total.margin, r.currency)} ({r.total.margin_pct}%).")

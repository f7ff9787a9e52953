"""MT940 statements read with the maintained `mt-940` package into the same typed lines as camt.053.
German banks structure the :86: field (?20-?29 purpose, ?31 IBAN, ?32/?33 name); others write free text."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import mt940

from core.bank_statements import Statement, StatementLine
from core.errors import InvalidInput

# ?31 as the payer's IBAN (not glued to the name), long :86: fields whole, a byte-order mark dropped.
OPTIONS = mt940.processors.Options(applicant_iban=True, unbounded_details=True, merge_keeps_values=True,
                                   case_insensitive_marks=True, strip_bom=True)


def _name(data: dict) -> str:
    return " ".join(filter(None, (data.get("applicant_name"), data.get("recipient_name")))).strip()


def read_mt940(data: bytes) -> Statement:
    text = data.decode("utf-8-sig", errors="replace")
    transactions = mt940.models.Transactions(
        processors={"post_transaction": [mt940.processors.transaction_details_post_processor]},
        options=OPTIONS)
    try:
        transactions.parse(text)
    except Exception as exc:  # the parser raises bare errors of several kinds on malformed input
        raise InvalidInput(f"The MT940 file could not be read ({exc}).") from None
    account = str(transactions.data.get("account_identification") or "").replace(" ", "")
    result = Statement("mt940", account=account, reference=str(transactions.data.get("transaction_reference") or ""))
    for tx in transactions:
        d = tx.data
        amount = Decimal(str(d["amount"].amount))
        credit = str(d.get("status", "")) in ("C", "RD")  # RD: a debit reversed, money back in
        remittance = " ".join(filter(None, (d.get("purpose"), d.get("additional_purpose"))))
        reference = str(d.get("bank_reference") or "")
        if not reference or reference.upper() == "NONREF":
            customer_ref = str(d.get("customer_reference") or "")
            reference = "" if customer_ref.upper() == "NONREF" else customer_ref
        booked = d.get("entry_date") or d["date"]
        result.lines.append(StatementLine(
            booking_date=date(booked.year, booked.month, booked.day), amount=abs(amount).quantize(Decimal("0.01")),
            credit=credit, currency=str(d.get("currency") or ""), payer_name=_name(d) if credit else "",
            payer_iban=str(d.get("applicant_iban") or "").replace(" ", "") if credit else "",
            remittance=remittance or str(d.get("transaction_details") or "").replace("\n", " ").strip(),
            bank_reference=reference, account=account))
    return result

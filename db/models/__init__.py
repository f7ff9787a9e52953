"""SQLAlchemy 2.x typed models for every O2C document. The same code runs on SQLite and PostgreSQL.
Each group lives in its own module; importing this package registers them all on `Base.metadata`."""

from db.models.alerts import Alert, AlertCondition
from db.models.answers import AnswerJob
from db.models.banking import BankStatement, CustomerCredit, CustomerIban, StatementLine
from db.models.base import NAMING, Base, BigId, Money, Str40, UTCDateTime
from db.models.credits import CreditNote, CreditNoteLine
from db.models.parties import Customer, Member
from db.models.reads import DocumentRead, ReadAlert
from db.models.receivables import OPEN_INVOICE, OPEN_STATUSES, Invoice, Payment, Reminder
from db.models.records import AuditEvent, DocumentCounter, PendingAction
from db.models.sales import OrderLine, Product, SalesOrder
from db.models.shipping import SHIPMENT_STATUSES, Shipment, ShipmentLine
from db.models.slack import ConversationMessage, DigestLog, Feedback, SlackCard, SlackEvent, TurnLog

__all__ = [
    "NAMING", "OPEN_INVOICE", "OPEN_STATUSES", "Alert", "AlertCondition", "AnswerJob",
    "AuditEvent", "BankStatement", "Base", "BigId", "ConversationMessage",
    "CreditNote", "CreditNoteLine", "Customer", "CustomerCredit", "CustomerIban", "DigestLog", "DocumentCounter",
    "Feedback",
    "DocumentRead", "Invoice", "Member", "Money", "OrderLine", "Payment", "PendingAction", "Product", "ReadAlert",
    "Reminder", "SHIPMENT_STATUSES", "SalesOrder", "Shipment", "ShipmentLine", "SlackCard", "SlackEvent",
    "StatementLine", "Str40", "TurnLog", "UTCDateTime",
]

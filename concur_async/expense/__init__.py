"""Expense v3.0: reports, entries, itemizations, allocations, attendees, receipt images and more."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._resource import Family
from .allocations import Allocations
from .attendee_types import AttendeeTypes
from .attendees import Attendees
from .digital_tax_invoices import DigitalTaxInvoices
from .entries import Entries
from .entry_attendee_associations import EntryAttendeeAssociations
from .exchange_rates import ExchangeRates
from .expense_group_configurations import ExpenseGroupConfigurations
from .itemizations import Itemizations
from .quick_expenses import QuickExpensesV30
from .receipt_images import ReceiptImages
from .report_digests import ReportDigests
from .reports import Reports

if TYPE_CHECKING:
    from .._client import ConcurClient

__all__ = ["Expense"]


class Expense(Family):
    """Expense v3.0: reports, entries, itemizations, allocations, attendees, receipt images."""

    def __init__(self, client: ConcurClient) -> None:
        super().__init__(client)
        self.allocations = Allocations(client)
        self.attendee_types = AttendeeTypes(client)
        self.attendees = Attendees(client)
        self.digital_tax_invoices = DigitalTaxInvoices(client)
        self.entries = Entries(client)
        self.entry_attendee_associations = EntryAttendeeAssociations(client)
        self.expense_group_configurations = ExpenseGroupConfigurations(client)
        self.itemizations = Itemizations(client)
        self.receipt_images = ReceiptImages(client)
        self.reports = Reports(client)
        self.report_digests = ReportDigests(client)
        self.quick_expenses = QuickExpensesV30(client)
        self.exchange_rates = ExchangeRates(client)

"""Invoicing pages, one module per page group: parties, documents, payments, follow-up, public verification."""

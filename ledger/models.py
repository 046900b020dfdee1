"""ledger: the only app that imports django_ledger (books, chart, posting, balances, reports)."""

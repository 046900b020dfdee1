"""The kernel: money, errors, audit, idempotency, roles, i18n. It imports no project app."""

from django.contrib import admin

from ledger.models import BookCheck, PeriodLock, PostingRule


@admin.register(PostingRule)
class PostingRuleAdmin(admin.ModelAdmin[PostingRule]):
    list_display = ("event", "side", "debit_account", "credit_account", "vat_account", "note")
    list_filter = ("event", "side")
    list_editable = ("debit_account", "credit_account", "vat_account")


@admin.register(PeriodLock)
class PeriodLockAdmin(admin.ModelAdmin[PeriodLock]):
    """Read-only here: locking and unlocking go through the book's Périodes page (audited, reason required)."""

    list_display = ("book", "year", "month", "locked_at", "locked_by")
    list_filter = ("year", "month")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(BookCheck)
class BookCheckAdmin(admin.ModelAdmin[BookCheck]):
    list_display = ("book", "checked_at", "differences", "bypassed_entries")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


# django-ledger's own admin (entities, charts, ledgers: post, unpost and lock actions) bypasses our posting rules,
# audit and period locks. Books change only through ledger/services.py, so none of its models is on our admin site.
# Admin modules load in INSTALLED_APPS order and django_ledger comes before ledger: its models are registered here.
for _model in [model for model in admin.site._registry if model._meta.app_label == "django_ledger"]:
    admin.site.unregister(_model)

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from members.models import AllocationKeyValue, Commune, Cooperator, Organization, Province, User
from members.services import user_admin_saved


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin[Province]):
    list_display = ("code", "name_fr", "name_ar")
    search_fields = ("name_fr", "name_ar")


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin[Commune]):
    list_display = ("name_fr", "name_ar", "province", "is_rural")
    list_filter = ("province", "is_rural")
    search_fields = ("name_fr", "name_ar")


class CooperatorInline(admin.TabularInline[Cooperator, Organization]):
    model = Cooperator
    extra = 0
    fields = ("first_name_fr", "last_name_fr", "full_name_ar", "gender", "function", "cin", "phone", "is_active")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ("legal_name_fr", "legal_name_ar", "kind", "ice", "sector", "is_women_cooperative", "commune")
    list_filter = ("kind", "sector", "is_women_cooperative", "vat_status", "commune__province")
    search_fields = ("legal_name_fr", "legal_name_ar", "ice", "slug")
    prepopulated_fields = {"slug": ("legal_name_fr",)}
    inlines = [CooperatorInline]


@admin.register(Cooperator)
class CooperatorAdmin(admin.ModelAdmin[Cooperator]):
    list_display = ("last_name_fr", "first_name_fr", "full_name_ar", "organization", "gender", "function")
    list_filter = ("gender", "function", "is_active", "organization")
    search_fields = ("last_name_fr", "first_name_fr", "full_name_ar", "cin")


@admin.register(AllocationKeyValue)
class AllocationKeyValueAdmin(admin.ModelAdmin[AllocationKeyValue]):
    list_display = ("organization", "key", "year", "month", "value")
    list_filter = ("key", "year")


#: Fields that grant rights on the admin site itself: only a superuser sees or sets them.
RIGHTS_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users in the admin. A GIE administrator (staff, not superuser) manages roles and passwords of the others; only
    a superuser grants admin rights or touches a superuser. Every save is audited (``user_admin_saved``)."""

    list_display = ("username", "first_name", "last_name", "role", "organization", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Rôle"), {"fields": ("role", "organization", "preferred_language")}),
    )
    add_fieldsets = (
        *(DjangoUserAdmin.add_fieldsets or ()),
        (_("Rôle"), {"fields": ("role", "organization", "preferred_language")}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if _is_superuser(request):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in RIGHTS_FIELDS]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly if _is_superuser(request) else (*readonly, *RIGHTS_FIELDS)  # even if a form posts them

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and obj.is_superuser and not _is_superuser(request):
            return False  # nor their password (Django's password page asks this too)
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and obj.is_superuser and not _is_superuser(request):
            return False  # the bulk delete action asks per object too
        return super().has_delete_permission(request, obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:  # noqa: FBT001
        super().save_related(request, form, formsets, change)  # after the groups: the role has the last word
        user_admin_saved(
            acting_user=request.user, user=form.instance, changed_fields=form.changed_data, created=not change
        )


def _is_superuser(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_superuser", False))

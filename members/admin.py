from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from members.models import AllocationKeyValue, Commune, Cooperator, Organization, Province, User


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


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "organization", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Rôle"), {"fields": ("role", "organization", "preferred_language")}),
    )

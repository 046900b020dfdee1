from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from gie_erp.web import views as web_views
from invoices.views import public as invoices_public
from members.urls import api_urlpatterns as members_api
from training.views import public as training_public

urlpatterns = [
    path("", web_views.home, name="home"),
    path("accounts/login/", web_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # the language switch must work before logging in (the login page carries it)
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("gie_erp.web.urls")),
    path("members/", include("members.urls")),
    path("statements/", include("gie_erp.statements.urls")),
    path("books/", include("ledger.urls")),
    path("invoices/", include("invoices.urls")),
    path("sales/", include("sales.urls")),
    path("training/", include("training.urls")),
    path("fees/", include("gie_erp.fees.urls")),
    path("close/", include("gie_erp.close.urls")),
    path("combined/", include("gie_erp.combine.urls")),
    path("indicators/", include("gie_erp.indicators.urls")),
    path("verify/", include((invoices_public.urlpatterns, "invoices_public"))),
    path("verify/", include((training_public.urlpatterns, "training_public"))),
    path("api/", include((members_api, "members_api"))),
    path("admin/", admin.site.urls),
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from gie_erp.web import views as web_views
from members.urls import api_urlpatterns as members_api

urlpatterns = [
    path("", web_views.home, name="home"),
    path("accounts/login/", web_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("gie_erp.web.urls")),
    path("members/", include("members.urls")),
    path("statements/", include("gie_erp.statements.urls")),
    path("books/", include("ledger.urls")),
    path("api/", include((members_api, "members_api"))),
    path("admin/", admin.site.urls),
]

from django.urls import path

from members import api, views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("<slug:org_slug>/", views.member_detail, name="detail"),
    path("<slug:org_slug>/cooperators/", views.cooperator_list, name="cooperators"),
    path("cooperators/<int:cooperator_id>/", views.cooperator_detail, name="cooperator"),
    path(
        "cooperators/<int:cooperator_id>/personal-data/",
        views.cooperator_personal_data,
        name="cooperator_personal_data",
    ),
    path("cooperators/<int:cooperator_id>/erase/", views.cooperator_erase, name="cooperator_erase"),
]

api_urlpatterns = [
    path("members/", api.member_list, name="api-list"),
    path("members/<slug:org_slug>/", api.member_detail, name="api-detail"),
    path("members/<slug:org_slug>/cooperators/", api.cooperator_list, name="api-cooperators"),
    path("cooperators/<int:cooperator_id>/", api.cooperator_detail, name="api-cooperator"),
]

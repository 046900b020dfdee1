from django.urls import URLPattern

app_name = "statements"
urlpatterns: list[URLPattern] = []

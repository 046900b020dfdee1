"""Sales pages, one module per area; each exports ``urlpatterns`` that ``sales/urls.py`` joins."""

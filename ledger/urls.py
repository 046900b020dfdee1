from django.urls import path

from ledger import views

app_name = "ledger"
urlpatterns = [
    path("trial-balance/", views.all_books_trial_balance, name="all_trial_balance"),
    path("opening-import/", views.opening_import, name="opening_import"),
    path("accounts/search/", views.account_search_options, name="account_search"),
    path("<slug:org_slug>/", views.book_home, name="book"),
    path("<slug:org_slug>/entries/", views.entry_list, name="entries"),
    path("<slug:org_slug>/entries/new/", views.entry_new, name="entry_new"),
    path("<slug:org_slug>/entries/<uuid:entry_id>/", views.entry_detail, name="entry"),
    path("<slug:org_slug>/entries/<uuid:entry_id>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("<slug:org_slug>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<slug:org_slug>/trial-balance/", views.trial_balance, name="trial_balance"),
    path("<slug:org_slug>/ledger/<str:account_code>/", views.general_ledger, name="general_ledger"),
    path("<slug:org_slug>/bilan/", views.bilan, name="bilan"),
    path("<slug:org_slug>/cpc/", views.cpc, name="cpc"),
    path("<slug:org_slug>/periods/", views.periods, name="periods"),
]

from django.urls import path

from ledger.views import analytic, entries, opening, periods, reports

app_name = "ledger"
urlpatterns = [
    path("trial-balance/", reports.all_books_trial_balance, name="all_trial_balance"),
    path("opening-import/", opening.opening_import, name="opening_import"),
    path("accounts/search/", entries.account_search_options, name="account_search"),
    path("<slug:org_slug>/", entries.book_home, name="book"),
    path("<slug:org_slug>/entries/", entries.entry_list, name="entries"),
    path("<slug:org_slug>/entries/new/", entries.entry_new, name="entry_new"),
    path("<slug:org_slug>/entries/<uuid:entry_id>/", entries.entry_detail, name="entry"),
    path("<slug:org_slug>/entries/<uuid:entry_id>/reverse/", entries.entry_reverse, name="entry_reverse"),
    path("<slug:org_slug>/attachments/<int:attachment_id>/", entries.attachment_download, name="attachment"),
    path("<slug:org_slug>/trial-balance/", reports.trial_balance, name="trial_balance"),
    path("<slug:org_slug>/ledger/<str:account_code>/", reports.general_ledger, name="general_ledger"),
    path("<slug:org_slug>/bilan/", reports.bilan, name="bilan"),
    path("<slug:org_slug>/cpc/", reports.cpc, name="cpc"),
    path("<slug:org_slug>/analytic/", analytic.analytic, name="analytic"),
    path("<slug:org_slug>/periods/", periods.periods, name="periods"),
]

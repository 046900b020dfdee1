"""Sales pages: the phone till, an installable web app that works offline once loaded.

Four routes: the list of the seller's open events, the app shell of one event (its UI strings translated here in
French and Arabic and its context embedded as JSON, so the JavaScript carries no catalogue of translations), the
service worker (served from /sales/till/ so that its scope covers the till) and the web app manifest. Everything
else the till does goes through the JSON API (``sales/views/api.py``) with the phone's own credentials; see
``sales/static/sales/till/`` and docs/sales.md.
"""

import hashlib
import json
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import URLPattern, path, register_converter, reverse
from django.urls.converters import SlugConverter
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from gie_erp.core.access import role_required
from gie_erp.core.roles import Role
from sales.models import Event
from sales.selectors import event_for, events_for

#: who may open the till: its sellers, and the GIE's staff (to try it; the server holds their tickets if they are
#: not sellers of the event)
TILL_ROLES = (Role.FAIR_SELLER, Role.GIE_ADMIN, Role.GIE_ACCOUNTANT)
#: the till's own files, cached by the service worker (relative to the static root); the shared amount grammar too
ASSETS = (
    "sales/till/app.js",
    "sales/till/basket.js",
    "sales/till/dom.js",
    "sales/till/screens_sell.js",
    "sales/till/screens_pay.js",
    "sales/till/screens_ticket.js",
    "sales/till/screens_shift.js",
    "sales/till/screens_weigh.js",
    "sales/till/scan.js",
    "sales/till/session.js",
    "sales/till/logout_guard.js",
    "sales/till/store.js",
    "sales/till/sync.js",
    "sales/till/ticket.js",
    "sales/till/qr.js",
    "sales/till/till.css",
    "sales/till/icon-192.png",
    "sales/till/icon-512.png",
    "js/amounts.js",
)
SW_SOURCE = "sales/till/sw.js"
#: the header naming the user a till page was made for (the service worker keys its offline copies with it)
USER_HEADER = "X-Till-User"

#: every string the till's JavaScript shows, by key; ``{name}`` marks a value the phone fills in
STRINGS = {
    "all": gettext_lazy("Tous"),
    "all_sent": gettext_lazy("Tout est envoyé"),
    "back": gettext_lazy("Retour"),
    "cancel": gettext_lazy("Annuler"),
    "card": gettext_lazy("Carte"),
    "cart": gettext_lazy("Panier"),
    "cash": gettext_lazy("Espèces"),
    "cash_difference": gettext_lazy("Écart de caisse"),
    "cash_given": gettext_lazy("Espèces reçues du client"),
    "change": gettext_lazy("À rendre"),
    "change_event": gettext_lazy("Changer d'événement"),
    "cheque": gettext_lazy("Chèque"),
    "close": gettext_lazy("Fermer"),
    "close_offline": gettext_lazy("Fermer hors ligne…"),
    "close_offline_confirm": gettext_lazy(
        "Fermer la caisse sans avoir tout envoyé ? Le Z sera provisoire jusqu'à l'envoi des tickets."
    ),
    "close_offline_yes": gettext_lazy("Oui, fermer hors ligne"),
    "close_till": gettext_lazy("Fermer la caisse"),
    "counted_cash": gettext_lazy("Espèces comptées"),
    "currency": gettext_lazy("DH"),
    "device_refused": gettext_lazy(
        "Ce téléphone est refusé par le serveur : exportez les tickets en attente et prévenez le GIE."
    ),
    "difference": gettext_lazy("Écart"),
    "empty_cart": gettext_lazy("Vider"),
    "erase": gettext_lazy("Effacer le dernier chiffre"),
    "expected_cash": gettext_lazy("Espèces attendues"),
    "export_pending": gettext_lazy("Exporter les tickets en attente"),
    "first_load_online": gettext_lazy(
        "La première ouverture de la caisse demande Internet : connectez le téléphone puis réessayez."
    ),
    "less": gettext_lazy("Un de moins"),
    "logout": gettext_lazy("Se déconnecter"),
    "logout_keep": gettext_lazy("Garder sur le téléphone et se déconnecter"),
    "logout_offline": gettext_lazy("La déconnexion demande Internet : connectez le téléphone puis réessayez."),
    "logout_stay": gettext_lazy("Rester connecté"),
    "mandate": gettext_lazy("Vendu par le GIE au nom des coopératives."),
    "menu": gettext_lazy("Menu"),
    "mobile": gettext_lazy("Paiement mobile"),
    "more": gettext_lazy("Un de plus"),
    "new_sale": gettext_lazy("Nouvelle vente"),
    "no_products": gettext_lazy("Aucun produit en vente."),
    "no_tickets": gettext_lazy("Aucun ticket aujourd'hui."),
    "not_saved": gettext_lazy("Ticket non enregistré :"),
    "not_seller": gettext_lazy(
        "Vous n'êtes pas vendeur de cet événement : vos tickets seront gardés pour vérification."
    ),
    "number_short": gettext_lazy("N°"),
    "offline": gettext_lazy("Hors ligne"),
    "ok": gettext_lazy("OK"),
    "open_new_till": gettext_lazy("Ouvrir une nouvelle caisse"),
    "open_till": gettext_lazy("Ouvrir la caisse"),
    "opening_float": gettext_lazy("Fonds de caisse (espèces au départ)"),
    "other_method": gettext_lazy("Autre moyen"),
    "outside_dates": gettext_lazy(
        "Aujourd'hui est hors des dates de l'événement : les tickets seront gardés pour vérification."
    ),
    "pay": gettext_lazy("Payer"),
    "phone": gettext_lazy("Téléphone"),
    "print": gettext_lazy("Imprimer"),
    "quantity": gettext_lazy("Quantité"),
    "qr_label": gettext_lazy("Code QR du ticket"),
    "refund": gettext_lazy("Remboursement"),
    "refund_action": gettext_lazy("Rembourser"),
    "refund_confirm": gettext_lazy("Confirmer le remboursement"),
    "refund_how": gettext_lazy("Rendre l'argent en :"),
    "refund_of": gettext_lazy("du ticket N° {n}"),
    "refund_title": gettext_lazy("Rembourser le ticket N° {n}"),
    "remaining": gettext_lazy("Reste à payer"),
    "remove": gettext_lazy("Retirer"),
    "retry": gettext_lazy("Réessayer"),
    "saved": gettext_lazy("Ticket enregistré"),
    "scan_camera": gettext_lazy("Scanner avec la caméra"),
    "scan_camera_refused": gettext_lazy("Caméra indisponible : tapez le code ou touchez le produit."),
    "scan_hint": gettext_lazy("Placez le code-barres de l'étiquette devant la caméra."),
    "scan_label": gettext_lazy("Code-barres"),
    "scan_misread": gettext_lazy("Code mal lu : scannez de nouveau."),
    "scan_unknown": gettext_lazy("Code inconnu : {code}. Ce produit n'est pas en vente ici."),
    "send_now": gettext_lazy("Envoyer maintenant"),
    "server": gettext_lazy("Serveur"),
    "session_changed": gettext_lazy(
        "Quelqu'un s'est connecté sur ce téléphone depuis : connectez le téléphone à Internet et identifiez-vous."
    ),
    "shift_closed_elsewhere": gettext_lazy("La caisse a été fermée dans un autre onglet : ouvrez-la de nouveau."),
    "stands": gettext_lazy("Stands"),
    "status_held": gettext_lazy("Gardé pour vérification"),
    "status_pending": gettext_lazy("Pas encore envoyé"),
    "status_rejected": gettext_lazy("Refusé par le serveur, gardé sur le téléphone"),
    "status_sent": gettext_lazy("Envoyé"),
    "tendered": gettext_lazy("Reçu"),
    "thanks": gettext_lazy("Merci !"),
    "ticket": gettext_lazy("Ticket"),
    "tickets": gettext_lazy("Tickets"),
    "to_give_back": gettext_lazy("À rendre au client"),
    "today_tickets": gettext_lazy("Tickets du jour"),
    "too_much": gettext_lazy("Plus que le reste à payer."),
    "total": gettext_lazy("Total"),
    "type_counted": gettext_lazy("Tapez les espèces comptées."),
    "unit_kg": gettext_lazy("kg"),
    "unit_l": gettext_lazy("litre"),
    "validate": gettext_lazy("Valider"),
    "vat_included": gettext_lazy("dont TVA {rate} %"),
    "z_provisional": gettext_lazy("Z provisoire : des tickets ne sont pas encore arrivés au serveur."),
    "z_server_page": gettext_lazy("Z du serveur"),
    "z_title": gettext_lazy("Z de caisse"),
}
#: the strings that count something, by key: every plural form of the language goes to the phone (Arabic has six:
#: zero, one, two, few, many, other), which picks the form for its count (``pluralCategory`` in dom.js)
PLURALS = {
    "close_refused": ngettext_lazy(
        "{n} ticket n'est pas encore envoyé : connectez le téléphone à Internet pour fermer la caisse.",
        "{n} tickets ne sont pas encore envoyés : connectez le téléphone à Internet pour fermer la caisse.",
        "n",
    ),
    "logout_pending": ngettext_lazy(
        "{n} ticket de ce téléphone n'est pas encore envoyé : il reste sur le téléphone et partira avec la "
        "prochaine caisse ouverte ici avec Internet.",
        "{n} tickets de ce téléphone ne sont pas encore envoyés : ils restent sur le téléphone et partiront avec "
        "la prochaine caisse ouverte ici avec Internet.",
        "n",
    ),
    "tickets_count": ngettext_lazy("{n} ticket", "{n} tickets", "n"),
    "unsynced": ngettext_lazy("{n} ticket pas encore envoyé", "{n} tickets pas encore envoyés", "n"),
}
#: a count of each plural category, per language, as the catalogues' Plural-Forms count them (French: 0 and 1 are
#: singular)
PLURAL_SAMPLES = {
    "fr": {"one": 1, "other": 2},
    "ar": {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 11, "other": 100},
}
#: the placeholder standing for an object id in URL templates handed to the JavaScript
NIL = "00000000-0000-0000-0000-000000000000"


class TillSlugConverter(SlugConverter):
    """An event's slug, except the till's own fixed paths (``device/`` is the registration of a phone)."""

    regex = r"(?!device/)[-a-zA-Z0-9_]+"


register_converter(TillSlugConverter, "till_event")


def _asset_urls() -> list[str]:
    """The URLs the service worker caches: each file as the pages name it (hashed in production) and as the ES
    modules import each other (relative, so unhashed)."""
    urls: list[str] = []
    for name in ASSETS:
        for url in (static(name), f"{settings.STATIC_URL}{name}"):
            url = url if url.startswith("/") else f"/{url}"
            if url not in urls:
                urls.append(url)
    return urls


def _read_static(name: str) -> bytes:
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(name)
    with open(found if isinstance(found, str) else found[0], "rb") as handle:
        return handle.read()


def _version() -> str:
    """A digest of every cached file and of the worker itself: a new release installs a new cache."""
    digest = hashlib.sha256()
    for name in (*ASSETS, SW_SOURCE):
        digest.update(_read_static(name))
    return digest.hexdigest()[:16]


_cached_version = cache(_version)


def till_version() -> str:
    return _version() if settings.DEBUG else _cached_version()


def _strings() -> dict[str, dict[str, str]]:
    """Every UI string in both languages: the seller switches language on the phone, offline too."""
    out = {}
    for code in ("fr", "ar"):
        with translation.override(code):
            out[code] = {key: str(text) for key, text in STRINGS.items()}
    return out


def _plurals() -> dict[str, dict[str, dict[str, str]]]:
    """Every plural string in both languages, each form under its category (``PLURAL_SAMPLES``)."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for code, samples in PLURAL_SAMPLES.items():
        with translation.override(code):
            out[code] = {
                key: {category: str(text % {"n": n}) for category, n in samples.items()}
                for key, text in PLURALS.items()
            }
    return out


def offline_page() -> str:
    """What the service worker answers a visit offline when the phone keeps no page of the user logged in here:
    never another seller's page. Both languages, no script."""
    sections = []
    for code, direction in (("ar", "rtl"), ("fr", "ltr")):
        with translation.override(code):
            title, retry = escape(_("Hors ligne")), escape(_("Réessayer"))
            text = escape(
                _(
                    "Aucune caisse n'est gardée hors ligne pour la personne connectée sur ce téléphone. Connectez "
                    "le téléphone à Internet et identifiez-vous."
                )
            )
        sections.append(
            f'<section lang="{code}" dir="{direction}"><h1>{title}</h1><p>{text}</p><a href="">{retry}</a></section>'
        )
    style = (
        "body{font:18px/1.4 system-ui,sans-serif;margin:0;padding:1rem;background:#f4f1ea;color:#1d1d1b}"
        "section{margin-block-end:1.5rem}a{display:inline-block;min-height:3rem;padding:.75rem 1rem;"
        "border:2px solid #0b6e4f;border-radius:.75rem;color:#0b6e4f;font-weight:700;text-decoration:none}"
    )
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" '
        'content="width=device-width, initial-scale=1"><title>GIE</title>'
        f'<style>{style}</style></head><body data-till-offline="1">{"".join(sections)}</body></html>'
    )


def _event_json(event: Event) -> dict[str, Any]:
    return {
        "slug": event.slug,
        "name_fr": event.name_fr,
        "name_ar": event.name_ar or event.name_fr,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat() if event.ends_on else None,
        "place": event.place,
    }


@require_safe
@role_required(*TILL_ROLES)
def till_home(request: HttpRequest) -> HttpResponse:
    """The open events this user sells at (staff: every open event), each a big button to its till."""
    user: Any = request.user
    events = events_for(user).filter(state=Event.State.OPEN)
    if user.role == Role.FAIR_SELLER:
        events = events.filter(sellers=user)
    return _for_user(render(request, "sales/till/home.html", {"events": events.order_by("starts_on", "slug")}), user)


@require_safe
@role_required(*TILL_ROLES)
def till(request: HttpRequest, slug: str) -> HttpResponse:
    """The app shell of one event's till: markup, the UI strings and the context; the rest is JavaScript."""
    event = event_for(request.user, slug)
    user: Any = request.user
    language = translation.get_language() or settings.LANGUAGE_CODE
    context = {
        "event": _event_json(event),
        "user": {"id": user.pk, "username": user.get_username(), "name": user.get_full_name() or user.username},
        "is_seller": event.sellers.filter(pk=user.pk).exists(),
        "lang": "ar" if language.startswith("ar") else "fr",
        "lang_cookie": _language_cookie(),
        "today": timezone.localdate().isoformat(),
        "csrf": get_token(request),  # also sets the cookie; the phone reads the cookie first (it may be newer)
        "version": till_version(),
        "urls": {
            "home": reverse("sales:till_home"),
            "logout": reverse("logout"),
            "self": request.path,
            "register": reverse("sales:till_device_register"),
            "catalogue": reverse("sales:api_catalogue", args=[event.slug]),
            "sync": reverse("sales:api_sync"),
            "z": reverse("sales:api_z", args=[NIL]),
            "z_page": reverse("sales:till_z", args=[NIL]),
            "sw": reverse("sales:till_sw"),
            "scope": reverse("sales:till_home"),
        },
        "strings": _strings(),
        "plurals": _plurals(),
    }
    return _for_user(render(request, "sales/till/shell.html", {"event": event, "till": context}), user)


def _language_cookie() -> dict[str, Any] | None:
    """Django's language cookie as the till's language button writes it (dom.js rememberLanguage), so that the
    phone's choice is the portal's too and beats an older copy of the page; none when scripts may not touch it."""
    if settings.LANGUAGE_COOKIE_HTTPONLY:
        return None
    return {
        "name": settings.LANGUAGE_COOKIE_NAME,
        "path": settings.LANGUAGE_COOKIE_PATH,
        "domain": settings.LANGUAGE_COOKIE_DOMAIN,
        "age": settings.LANGUAGE_COOKIE_AGE,
        "secure": settings.LANGUAGE_COOKIE_SECURE,
        "samesite": settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
    }


def _for_user(response: HttpResponse, user: Any) -> HttpResponse:
    """Name the user a till page belongs to: the service worker keeps it as that user's copy (sw.js)."""
    response[USER_HEADER] = str(user.pk)
    return response


@require_safe
@never_cache
def till_sw(request: HttpRequest) -> HttpResponse:
    """The service worker, with the list of files to cache and the release's version written in."""
    source = _read_static(SW_SOURCE).decode()
    source = source.replace('"__VERSION__"', json.dumps(till_version()))
    source = source.replace('["__ASSETS__"]', json.dumps(_asset_urls()))
    source = source.replace('"__SCOPE__"', json.dumps(reverse("sales:till_home")))
    source = source.replace('"__OFFLINE_PAGE__"', json.dumps(offline_page()))
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("sales:till_home")
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def till_manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest; ``?event=<slug>`` makes that event's till the app's start page."""
    home = reverse("sales:till_home")
    start = home
    slug = request.GET.get("event", "")
    if slug and events_for(request.user).filter(slug=slug).exists():
        start = reverse("sales:till", args=[slug])
    language = translation.get_language() or settings.LANGUAGE_CODE
    manifest = {
        "name": _("Caisse du GIE"),
        "short_name": _("Caisse"),
        "lang": language,
        "dir": "rtl" if translation.get_language_bidi() else "ltr",
        "start_url": start,
        "scope": home,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f4f1ea",
        "theme_color": "#0b6e4f",
        "icons": [
            {"src": static("sales/till/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("sales/till/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static("sales/till/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


urlpatterns: list[URLPattern] = [
    path("till/", till_home, name="till_home"),
    path("till/sw.js", till_sw, name="till_sw"),
    path("till/manifest.webmanifest", till_manifest, name="till_manifest"),
    path("till/<till_event:slug>/", till, name="till"),
]

"""Follow a search, confirm it, manage or leave it: no account, only signed links.

Every answer here is private to one reader: never cached (``private, no-store``), never
framed, and the address never reaches a log line. Sign-up answers the same whether or
not the address already follows the search, so the form cannot tell who subscribes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from base.throttle import RateLimit, client_address

from . import tokens
from .delivery import SMTP_ERRORS, absolute, manage_url
from .forms import FollowSearchForm, FrequencyForm
from .models import DIGEST_EVERY, FREQUENCIES, FollowedSearch, Follower, search_key
from .searches import FollowedSearchParams, describe

logger = logging.getLogger(__name__)

SIGN_UPS_PER_CLIENT = RateLimit("alerts-sign-up-client", limit=20, seconds=3600)
SIGN_UPS_PER_ADDRESS = RateLimit("alerts-sign-up-address", limit=5, seconds=3600)


def private_page(view: Callable) -> Callable:
    """For one reader only: not stored by any cache, not shown in another site's frame."""

    @wraps(view)
    @xframe_options_deny
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapper


def signed_link(kind: str) -> Callable:
    """For the views behind a signed link: the view gets the follower the link was made
    for (None once the address has unsubscribed) and the searches it names; an expired
    or forged link is answered 400 here, before the view runs."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, token: str) -> HttpResponse:
            try:
                follower, payload = tokens.follower_for(kind, token)
            except (tokens.LinkExpired, tokens.LinkInvalid) as exc:
                expired = isinstance(exc, tokens.LinkExpired)
                return render(
                    request,
                    "alerts/link_problem.html",
                    {"expired": expired, "follow_url": reverse("alerts:follow")},
                    status=400,
                )
            searches = (
                FollowedSearch.objects.filter(follower=follower, pk__in=payload.get("s", []))
                if follower
                else FollowedSearch.objects.none()
            )
            return view(request, follower, searches)

        return wrapper

    return decorate


# --- Follow a search -------------------------------------------------------------------


@private_page
@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest) -> HttpResponse:
    """The sign-up form for the search in the query string (the search page links here)."""
    search = FollowedSearchParams.from_params(request.GET)
    form = FollowSearchForm(request.POST or None)
    context = {"search": search, "form": form, "form_action": request.get_full_path()}
    if request.method == "GET" or not search.valid:
        return render(request, "alerts/follow.html", context, status=200 if search.valid else 400)
    if not form.is_valid():
        return render(request, "alerts/follow.html", context, status=400)

    email, frequency = form.cleaned_data["email"], form.cleaned_data["frequency"]
    for limit, identity in (
        (SIGN_UPS_PER_CLIENT, client_address(request)),
        (SIGN_UPS_PER_ADDRESS, email),
    ):
        hit = limit.hit(identity)
        if not hit.allowed:
            context["too_many"] = hit.retry_minutes
            response = render(request, "alerts/follow.html", context, status=429)
            response["Retry-After"] = str(hit.retry_after)
            return response

    try:
        sign_up(email, frequency, search)
    except SMTP_ERRORS as exc:
        logger.warning("Confirmation e-mail not accepted (%s)", type(exc).__name__)
        context["not_sent"] = True
        return render(request, "alerts/follow.html", context, status=503)
    return render(request, "alerts/check_inbox.html", {"search": search})


@transaction.atomic
def sign_up(email: str, frequency: str, search: FollowedSearchParams) -> None:
    """Send the confirmation link, or, if the address follows this search already, a note
    saying so with its manage link. If the mail cannot go, nothing is kept."""
    follower, _ = Follower.objects.get_or_create(email=email)
    followed, created = FollowedSearch.objects.get_or_create(
        follower=follower,
        key=search_key(search.query, search.filters),
        defaults={"query": search.query, "filters": search.filters, "frequency": frequency},
    )
    context = {
        "label": search.label(),
        "search_url": search.url(),
        "manage_url": manage_url(follower),
        "hours": int(tokens.CONFIRM_MAX_AGE.total_seconds() // 3600),
    }
    if followed.confirmed_at is not None:
        template, subject = "already", "You already follow this search"
    else:
        if not created and followed.frequency != frequency:
            followed.frequency = frequency
            followed.save(update_fields=["frequency", "key"])
        token = tokens.make(tokens.CONFIRM, follower, [followed.pk])
        context["confirm_url"] = absolute(reverse("alerts:confirm", args=[token]))
        template, subject = "confirm", "Confirm that you want to follow this search"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"alerts/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_to_string(f"alerts/email/{template}.html", context), "text/html"
    )
    message.send()  # raises on an SMTP refusal, which rolls the rows back


# --- Confirm ----------------------------------------------------------------------------


@private_page
@require_http_methods(["GET", "POST"])
@signed_link(tokens.CONFIRM)
def confirm(request: HttpRequest, follower: Follower | None, searches) -> HttpResponse:
    """GET shows a button and POST confirms: a mail scanner opening the link confirms nothing."""
    followed = searches.first()
    if followed is None:
        return render(request, "alerts/gone.html", status=404)
    if request.method == "POST":
        followed.confirm()
        return redirect("alerts:manage", token=tokens.make(tokens.MANAGE, follower))
    return render(
        request,
        "alerts/confirm.html",
        {"label": describe(followed.query, followed.filters), "followed": followed},
    )


# --- Manage -------------------------------------------------------------------------------


@private_page
@require_http_methods(["GET", "POST"])
@signed_link(tokens.MANAGE)
def manage(request: HttpRequest, follower: Follower | None, _searches) -> HttpResponse:
    """Every search the address follows: change how often, unfollow one or all."""
    if follower is None:
        return render(request, "alerts/gone.html", status=404)
    notice = ""
    if request.method == "POST":
        action = request.POST.get("action")
        searches = follower.searches.all()
        if action == "unfollow-all":
            follower.delete()
            return render(request, "alerts/unsubscribed.html", {"everything": True})
        if action == "unfollow":
            followed = searches.filter(pk=request.POST.get("search") or 0).first()
            if followed is not None:
                followed.unfollow()
            if not Follower.objects.filter(pk=follower.pk).exists():
                return render(request, "alerts/unsubscribed.html", {"everything": True})
            notice = "You no longer follow that search."
        elif action == "frequency":
            form = FrequencyForm(request.POST)
            followed = (
                searches.filter(pk=form.cleaned_data["search"]).first() if form.is_valid() else None
            )
            if followed is None:
                notice = "That change was not understood; nothing was changed."
            else:
                followed.set_frequency(form.cleaned_data["frequency"])
                notice = "Saved: " + dict(FREQUENCIES)[followed.frequency].lower() + "."
    searches = [
        {"search": s, "label": describe(s.query, s.filters)}
        for s in follower.searches.filter(confirmed_at__isnull=False)
    ]
    return render(
        request,
        "alerts/manage.html",
        {
            "searches": searches,
            "frequencies": FREQUENCIES,
            "notice": notice,
            "digest_days": DIGEST_EVERY.days,
            "now": timezone.now(),
        },
    )


# --- One-click unsubscribe (RFC 8058) --------------------------------------------------


@csrf_exempt  # RFC 8058: the mail client POSTs without a session; the signed token is the key
@private_page
@require_http_methods(["GET", "POST"])
@signed_link(tokens.UNSUBSCRIBE)
def unsubscribe(request: HttpRequest, follower: Follower | None, searches) -> HttpResponse:
    if request.method == "POST":
        for followed in searches.select_related("follower"):
            followed.unfollow()
        return render(request, "alerts/unsubscribed.html", {"everything": False})
    if not searches.exists():
        return render(request, "alerts/gone.html", status=404)
    labels = [describe(s.query, s.filters) for s in searches]
    return render(request, "alerts/unsubscribe.html", {"labels": labels})

"""Member-facing views: sign in, and share a practice into the moderation workflow."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.cache import never_cache

from casestudies.models import CaseStudyIndexPage, CaseStudyPage

from .forms import SharePracticeForm, paragraphs_html
from .members import member_company_name

SHARES_PER_HOUR = 3


def _rate_key(user) -> str:
    return f"anonymity:share-practice:{user.pk}"


def share_limit_reached(user) -> bool:
    return cache.get(_rate_key(user), 0) >= SHARES_PER_HOUR


def _count_share(user) -> None:
    key = _rate_key(user)
    if not cache.add(key, 1, timeout=3600):
        cache.incr(key)


def _unique_slug(parent, title: str) -> str:
    base = slugify(title)[:70] or "shared-practice"
    slug, n = base, 1
    while parent.get_children().filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_shared_draft(data: dict, user, company: str) -> CaseStudyPage:
    """A draft case study from a member, started in the moderation workflow.

    It is never live: only an editor publishing it (through the anonymity
    guard) makes it public. The member's company heads its confidential terms.
    """
    index = CaseStudyIndexPage.objects.get()
    page = CaseStudyPage(
        title=data["title"],
        slug=_unique_slug(index, data["title"]),
        summary=data["summary"],
        challenge=paragraphs_html(data["challenge"]),
        steps=[("step", step) for step in data["steps"]],
        what_did_not_work=paragraphs_html(data["what_did_not_work"]),
        lessons=paragraphs_html(data["lessons"]),
        industry=data["industry"],
        region=data["region"],
        size_band=data["size_band"],
        year_started=data["year_started"],
        year_ended=data["year_ended"],
        contributing_company=company,
        confidential_terms="\n".join(data["confidential_terms"]),
        live=False,
        owner=user,
    )
    page.stages.set(data["stages"])
    page.intervention_types.set(data["intervention_types"])
    with transaction.atomic():
        index.add_child(instance=page)
        page.save_revision(user=user, log_action=True)
        workflow = page.get_workflow()
        if workflow is not None:
            workflow.start(page, user)
    return page


@never_cache
def share_your_practice(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url=reverse("wagtailcore_login"))
    company = member_company_name(request.user)
    if company is None:
        return render(request, "anonymity/members_only.html", status=403)
    form = SharePracticeForm(request.POST or None)
    if request.method == "POST":
        if share_limit_reached(request.user):
            form.is_valid()
            form.add_error(
                None,
                f"You have shared {SHARES_PER_HOUR} practices in the last hour, the most we "
                "accept. Your text is still here: please send it again in an hour.",
            )
            return render(request, "anonymity/share_your_practice.html", {"form": form}, status=429)
        if form.is_valid():
            create_shared_draft(form.cleaned_data, request.user, company)
            _count_share(request.user)
            return redirect("share_your_practice_thanks")
    return render(request, "anonymity/share_your_practice.html", {"form": form, "company": company})


def share_your_practice_thanks(request):
    return render(request, "anonymity/share_your_practice_thanks.html")

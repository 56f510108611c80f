"""Member-facing views: sign in, and share a practice into the moderation workflow."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.cache import never_cache

from base.throttle import RateLimit, client_address
from casestudies.models import CaseStudyIndexPage, CaseStudyPage

from .forms import SharePracticeForm, paragraphs_html
from .members import member_company_name
from .models import ContributingCompany

SHARES_PER_HOUR = 3


# Counted before the draft is made and given back if it is refused or fails, so posts
# sent in parallel cannot all slip under the limit (base/throttle.py).
SHARES = RateLimit("share-practice", limit=SHARES_PER_HOUR, seconds=3600)


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
    company = ContributingCompany.for_member(request.user)
    if company is None:
        # A member group without a registered company cannot share: the guard
        # could not tell how many companies its stories would describe.
        context = {"unregistered_member": member_company_name(request.user)}
        return render(request, "anonymity/members_only.html", context, status=403)
    form = SharePracticeForm(request.POST or None, user=request.user, company=company)
    if request.method == "POST" and form.is_valid():
        share = SHARES.hit(request.user.pk)
        if not share.allowed:
            SHARES.undo(request.user.pk)
            form.add_error(
                None,
                f"You have shared {SHARES_PER_HOUR} practices in the last hour, the most we "
                "accept. Your text is still here: please send it again in "
                f"{share.retry_minutes} minute{'s' if share.retry_minutes != 1 else ''}.",
            )
            return render(request, "anonymity/share_your_practice.html", {"form": form}, status=429)
        try:
            create_shared_draft(form.cleaned_data, request.user, company.name)
        except Exception:
            SHARES.undo(request.user.pk)
            raise
        return redirect("share_your_practice_thanks")
    return render(request, "anonymity/share_your_practice.html", {"form": form, "company": company})


def share_your_practice_thanks(request):
    return render(request, "anonymity/share_your_practice_thanks.html")


@never_cache  # editors' changes to the contact show at once, whatever the page cache holds
def membership(request):
    """What member companies get and how to join; the contact comes from MembershipSettings."""
    return render(request, "anonymity/membership.html")


# A reset e-mail goes to an address anyone may type: a few an hour per address and per
# client, so nobody can fill a member's inbox. Over the limit the answer is the same
# "check your e-mail" page, which says nothing about whether the account exists.
PASSWORD_RESETS_PER_ADDRESS = RateLimit("password-reset", limit=3, seconds=3600)
PASSWORD_RESETS_PER_CLIENT = RateLimit("password-reset-client", limit=10, seconds=3600)


class MemberPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset by e-mail, in the portal's look, with a bound on e-mails."""

    template_name = "anonymity/password_reset_form.html"
    email_template_name = "anonymity/password_reset_email.txt"
    subject_template_name = "anonymity/password_reset_subject.txt"

    @property
    def extra_email_context(self) -> dict:
        return {"site_name": settings.WAGTAIL_SITE_NAME}

    def form_valid(self, form):
        address = form.cleaned_data["email"].strip().casefold()
        allowed = PASSWORD_RESETS_PER_ADDRESS.hit(address).allowed
        allowed = PASSWORD_RESETS_PER_CLIENT.hit(client_address(self.request)).allowed and allowed
        if not allowed:
            return redirect(self.get_success_url())
        return super().form_valid(form)

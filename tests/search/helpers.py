"""Stories with controlled wording, so a test knows exactly which words each one holds, and
what the search page shows of them."""

import re
from html import unescape

from django.contrib.auth.models import Group, User

from casestudies.models import MEMBER_GROUP_PREFIX
from search.documents import alias_name, client
from search.indexing import rebuild
from tests.factories import (
    CaseStudyPageFactory,
    IndustryFactory,
    InterventionTypeFactory,
    step,
)


def story(title, summary="A company changed how it works.", body="It took a year.", **kwargs):
    return CaseStudyPageFactory(
        title=title,
        summary=summary,
        challenge="<p>Workers faced hardship.</p>",
        steps=[_step(body)],
        what_did_not_work="",
        lessons="",
        **kwargs,
    )


def industries_and_practices() -> tuple:
    """Apparel, seafood, fee repayment and a grievance channel: what search tests tag with,
    by the slugs their URLs name."""
    return (
        IndustryFactory(name="Apparel", slug="apparel"),
        IndustryFactory(name="Seafood", slug="seafood"),
        InterventionTypeFactory(name="Fee repayment", slug="fee-repayment"),
        InterventionTypeFactory(name="Grievance channel", slug="grievance"),
    )


def _step(body):
    name, value = step("Plan the work", f"<p>{body}</p>")
    return name, {**value, "pitfalls": "", "who_was_involved": "Sourcing team"}


def make_member(username="member") -> User:
    user = User.objects.create_user(username, password="pw")
    user.groups.add(Group.objects.get_or_create(name=f"{MEMBER_GROUP_PREFIX}Acme")[0])
    return user


def empty_index() -> None:
    """A new, empty story index behind the alias: no test sees another test's stories."""
    es = client()
    for name in es.indices.get(index=f"{alias_name()}*", ignore_unavailable=True):
        es.indices.delete(index=name)
    rebuild()


def card_titles(html: str) -> set[str]:
    """The result cards on a page, for stories titled "Story <key>"."""
    return set(re.findall(r"(Story \w+)</a>", html))


def facet_counts(html: str, param: str, legend: str) -> dict[str, int]:
    """One facet of the search page (``param``, headed ``legend``): each value's label and
    the count beside it."""
    fieldset = re.search(
        rf'<fieldset class="facet" data-facet="{param}">(.*?)</fieldset>', html, re.S
    )
    assert fieldset, f"the search page offers the facet {param!r}"
    assert f"<legend>{legend}</legend>" in fieldset[1]
    return {
        unescape(label).strip(): int(count)
        for label, count in re.findall(
            r"<label[^>]*>([^<]*)<span class=\"facet__count\" data-count>\((\d+)\)</span>",
            fieldset[1],
        )
    }

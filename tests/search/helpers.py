"""Stories with controlled wording, so a test knows exactly which words each one holds."""

from django.contrib.auth.models import Group, User

from casestudies.models import MEMBER_GROUP_PREFIX
from tests.factories import CaseStudyPageFactory, step


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


def _step(body):
    name, value = step("Plan the work", f"<p>{body}</p>")
    return name, {**value, "pitfalls": "", "who_was_involved": "Sourcing team"}


def make_member(username="member") -> User:
    user = User.objects.create_user(username, password="pw")
    user.groups.add(Group.objects.get_or_create(name=f"{MEMBER_GROUP_PREFIX}Acme")[0])
    return user

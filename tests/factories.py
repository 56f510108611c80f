"""Factories for taxonomies, metrics and stories: the vocabulary of every test."""

from __future__ import annotations

import datetime
import io

import factory
import wagtail_factories
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from PIL import Image as PILImage

from anonymity.models import ContributingCompany
from base.models import StoryImage
from casestudies import models
from casestudies.building import add_story, publish_story, terms


class TermFactory(factory.django.DjangoModelFactory):
    """A vocabulary term, found by its slug: naming a term twice gives the same term."""

    class Meta:
        abstract = True
        django_get_or_create = ("slug",)

    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


def term_factory(model, label: str, **fields):
    """The factory of a vocabulary model, whose terms are named "<label> 1", "<label> 2"..."""
    name = factory.Sequence(lambda n: f"{label} {n}")
    return factory.make_factory(model, FACTORY_CLASS=TermFactory, name=name, **fields)


IndustryFactory = term_factory(models.Industry, "Industry")
InterventionTypeFactory = term_factory(
    models.InterventionType, "Intervention", description="A practice companies use."
)
SupplyChainStageFactory = term_factory(models.SupplyChainStage, "Stage")
RegionFactory = term_factory(models.Region, "Region")
StepKindFactory = term_factory(models.StepKind, "Step kind")
MetricDefinitionFactory = term_factory(
    models.MetricDefinition,
    "Metric",
    unit="workers",
    counts="Workers counted by the metric.",
    higher_is_better=True,
)


def indicators(*slugs: str) -> list[models.ForcedLabourIndicator]:
    """ILO forced-labour indicators by slug (the migration loads all 11)."""
    return terms(models.ForcedLabourIndicator, slugs)


def make_image_file(name: str = "photo.jpg", size=(64, 48), color=(30, 90, 150)) -> ImageFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, "JPEG")
    return ImageFile(io.BytesIO(buffer.getvalue()), name=name)


class StoryImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoryImage

    title = factory.Sequence(lambda n: f"Workers at a training session {n}")
    file = factory.LazyFunction(make_image_file)


def step(
    heading="Map the recruitment corridor",
    text="<p>The team mapped every agency.</p>",
    kind: models.StepKind | str | None = None,
    **values,
):
    """A step block value; ``kind`` is a StepKind, its slug or None; ``values`` override the
    rest. Stories built by the factories resolve it (``casestudies.building``)."""
    return (
        "step",
        {
            "heading": heading,
            "kind": kind,
            "what_was_done": text,
            "who_was_involved": "Sourcing team and supplier HR managers",
            "duration": "6 months",
            "cost_band": "10k-100k",
            "pitfalls": "Agencies re-labelled fees as deposits.",
            **values,
        },
    )


class StoryPageFactory(wagtail_factories.PageFactory):
    class Meta:
        abstract = True
        skip_postgeneration_save = True

    industry = factory.SubFactory(IndustryFactory)
    region = factory.SubFactory(RegionFactory)
    size_band = "large"
    year_started = 2021
    year_ended = 2023
    risks_addressed = ()  # ILO indicators: objects or slugs
    parent = None  # the story type's listing, its one allowed parent

    @classmethod
    def _create(cls, model_class, *args, parent, **kwargs):
        """Built the one way stories are built; live without a revision until ``publish``."""
        if parent is None:
            parent = model_class.allowed_parent_page_models()[0].objects.get()
        return add_story(parent, model_class, publish=False, **kwargs)

    @factory.post_generation
    def intervention_types(obj, create, extracted, **kwargs):
        obj.intervention_types.set(extracted or [InterventionTypeFactory()])

    @factory.post_generation
    def stages(obj, create, extracted, **kwargs):
        obj.stages.set(extracted or [SupplyChainStageFactory()])
        if create:
            obj.save()

    @factory.post_generation
    def registered(obj, create, extracted, **kwargs):
        """Register the page's company and enough look-alikes that it may be published.

        The guard refuses a story whose company is not registered or has fewer
        than k look-alikes; pass ``registered=False`` to build the register by hand.
        """
        if not create or extracted is False:
            return
        obj.contributing_company = obj.contributing_company or f"Quorvane {obj.pk} Holdings"
        names = [obj.contributing_company] + [
            f"Look-alike {obj.pk}-{n}" for n in range(1, settings.REIDENTIFICATION_K + 1)
        ]
        for name in names:
            company = ContributingCompany.registered_as(name) or ContributingCompany.objects.create(
                name=name, industry=obj.industry, size_band=obj.size_band, hq_region=obj.region
            )
            company.operating_regions.add(obj.region)
            company.stages.add(*obj.stages.all())
        obj.save()


class CaseStudyPageFactory(StoryPageFactory):
    class Meta:
        model = models.CaseStudyPage

    title = factory.Sequence(lambda n: f"How a garment maker repaid recruitment fees {n}")
    summary = "A global apparel brand worked with suppliers to repay recruitment fees."
    challenge = "<p>Migrant workers paid agencies up to a year's wages to get their jobs.</p>"
    steps = factory.LazyFunction(lambda: [step()])
    what_did_not_work = "<p>Asking suppliers to self-certify did not surface any fees.</p>"
    lessons = "<p>Start with the recruitment corridor, not the factory.</p>"


class BrightSpotPageFactory(StoryPageFactory):
    class Meta:
        model = models.BrightSpotPage

    title = factory.Sequence(lambda n: f"Fees repaid to 1,200 workers {n}")
    body = "A seafood processor repaid every worker's recruitment fees within a year."
    metric = factory.SubFactory(MetricDefinitionFactory)
    metric_value = 1200
    metric_unit = factory.LazyAttribute(lambda o: o.metric.unit)
    verification = "self-reported"


class MetricResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.MetricResult

    page = factory.SubFactory(CaseStudyPageFactory)
    metric = factory.SubFactory(MetricDefinitionFactory)
    baseline = 0
    result = 100
    unit = factory.LazyAttribute(lambda o: o.metric.unit)
    period_start = datetime.date(2022, 1, 1)
    period_end = datetime.date(2022, 12, 31)
    verification = "self-reported"


def user_in(group: str, username: str, email: str | None = None):
    """A user (password "pw") in ``group``: Wagtail's "Editors" or "Moderators", or a member
    company's group."""
    email = f"{username}@example.org" if email is None else email
    user = get_user_model().objects.create_user(username, email, "pw")
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def member_of(company: str, username: str = "amira"):
    """A person of a member company: in the group whose members may open members-only stories."""
    return user_in(f"{models.MEMBER_GROUP_PREFIX}{company}", username)


def publish(page):
    """Publish through a revision, the way the admin does, so signals and guards run."""
    return publish_story(page)


def withdraw(page, how: str) -> None:
    """Take a public story away from the public: ``unpublish`` it, or make it members-only."""
    from wagtail.models import PageViewRestriction

    if how == "unpublish":
        page.unpublish()
    else:
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.add(Group.objects.create(name="Member: Acme"))

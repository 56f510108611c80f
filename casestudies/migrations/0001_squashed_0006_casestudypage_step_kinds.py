"""The content app's schema in one migration: 0001 to 0006 squashed.

A database that applied 0001-0006 counts this one as applied (``replaces``), so upgrade to the
previous release first. A fresh database gets what a new install needs: the home page with the
two listings (their slugs are public addresses: /case-studies/, /bright-spots/) and the ILO's 11
indicators of forced labour. 0006's back-fill of ``step_kinds`` is left out: a fresh database
has no story to fill.
"""

import django.db.models.deletion
import modelcluster.fields
import wagtail.fields
from django.conf import settings
from django.db import migrations, models

# The ILO's 11 indicators of forced labour (ILO Special Action Programme to Combat
# Forced Labour, 2012), in the ILO's order.
ILO_INDICATORS = [
    ("abuse-of-vulnerability", "Abuse of vulnerability", "Taking advantage of a worker's lack of knowledge of the local language or laws, few livelihood options, irregular status or dependency on the employer."),
    ("deception", "Deception", "False promises about the type and terms of work, wages, conditions or status."),
    ("restriction-of-movement", "Restriction of movement", "Workers are confined to the workplace or its surroundings, or cannot leave freely."),
    ("isolation", "Isolation", "Workers are cut off from the outside world: remote sites, no means of communication."),
    ("physical-and-sexual-violence", "Physical and sexual violence", "Violence used to force or keep workers in work."),
    ("intimidation-and-threats", "Intimidation and threats", "Threats of dismissal, denunciation to the authorities, violence or loss of rights."),
    ("retention-of-identity-documents", "Retention of identity documents", "Employers or agents keep passports or identity papers so workers cannot leave."),
    ("withholding-of-wages", "Withholding of wages", "Wages withheld, delayed or deducted so that workers stay for fear of losing them."),
    ("debt-bondage", "Debt bondage", "Workers repay debts (often recruitment fees or advances) through their work, and the debt is manipulated so it is never repaid."),
    ("abusive-working-and-living-conditions", "Abusive working and living conditions", "Degrading, hazardous or unhealthy work and housing that no free worker would accept."),
    ("excessive-overtime", "Excessive overtime", "Hours beyond the legal limit, imposed under threat of penalty."),
]

HOME_INTRO = (
    "Anonymized case studies and bright spots from companies ending forced labour in their "
    "supply chains: the challenge, the steps, the cost, what did not work, and the measured results."
)
LISTINGS = [
    ("CaseStudyIndexPage", "Case studies", "case-studies", "How peers ended recruitment fees, gave workers a voice and fixed purchasing practices, step by step."),
    ("BrightSpotIndexPage", "Bright spots", "bright-spots", "Short successes worth five seconds of praise, each with its headline result."),
]


def create_site(apps, schema_editor):
    """Replace Wagtail's welcome page with the portal's home and its two listings."""
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    locale = apps.get_model("wagtailcore.Locale").objects.first()

    def create_page(model_name, title, slug, path, depth, **fields):
        model = apps.get_model("casestudies", model_name)
        content_type, _ = ContentType.objects.get_or_create(app_label="casestudies", model=model_name.lower())
        return model.objects.create(title=title, draft_title=title, slug=slug, path=path, depth=depth, content_type=content_type, locale=locale, **fields)

    Page.objects.filter(depth=2, slug="home").delete()
    home = create_page("HomePage", "Here's How", "home", "00010001", 2, numchild=len(LISTINGS), url_path="/home/", intro=HOME_INTRO)
    for n, (model_name, title, slug, intro) in enumerate(LISTINGS, start=1):
        create_page(model_name, title, slug, f"00010001{n:04d}", 3, numchild=0, url_path=f"/home/{slug}/", intro=intro)
    Page.objects.filter(depth=1).update(numchild=1)
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", root_page_id=home.id, is_default_site=True, site_name="Here's How")


def load_indicators(apps, schema_editor):
    indicator = apps.get_model("casestudies", "ForcedLabourIndicator")
    for slug, name, description in ILO_INDICATORS:
        indicator.objects.update_or_create(slug=slug, defaults={"name": name, "description": description})


def remove_indicators(apps, schema_editor):
    indicator = apps.get_model("casestudies", "ForcedLabourIndicator")
    indicator.objects.filter(slug__in=[slug for slug, _, _ in ILO_INDICATORS]).delete()


# Field builders: each call makes new field instances, as every model needs its own.
def page_ptr():
    return ("page_ptr", models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=settings.WAGTAIL_PAGE_MODEL))


def auto_id():
    return ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))


def verification():
    return ("verification", models.CharField(choices=[("self-reported", "Self-reported"), ("second-party", "Second-party verified"), ("independently-audited", "Independently audited")], default="self-reported", max_length=30))


def precision(name, help_text):
    return (name, models.CharField(choices=[("rounded", "Rounded to two significant figures (412,345 is shown as 410,000)"), ("banded", "As a range (412,345 is shown as 200,000–500,000)"), ("exact", "Exact (only when the figure cannot be matched to a company's own reports)")], default="rounded", help_text=help_text, max_length=10, verbose_name="published precision"))


def vocabulary(name, *extra_fields, **options):
    """A taxonomy snippet: name, slug and description, ordered by name unless told otherwise."""
    fields = [auto_id(), ("name", models.CharField(max_length=100, unique=True)), ("slug", models.SlugField(max_length=100, unique=True)), ("description", models.TextField(blank=True)), *extra_fields]
    return migrations.CreateModel(name=name, fields=fields, options={"ordering": ["name"], "abstract": False, **options})


def listing(name):
    """The home page and the two listings: a page with an introduction."""
    return migrations.CreateModel(name=name, fields=[page_ptr(), ("intro", models.TextField(blank=True))], options={"abstract": False}, bases=("wagtailcore.page",))


def story(name, verbose_name, *own_fields):
    """A case study or bright spot: what both share (attributes, confidential fields, taxonomies) and its own fields."""
    shared = [
        ("size_band", models.CharField(choices=[("small", "Small (under 250 employees)"), ("medium", "Medium (250 – 4,999 employees)"), ("large", "Large (5,000 – 49,999 employees)"), ("very-large", "Very large (50,000+ employees)")], max_length=20, verbose_name="company size")),
        ("year_started", models.PositiveSmallIntegerField()),
        ("year_ended", models.PositiveSmallIntegerField(blank=True, help_text="Leave empty if the work is ongoing.", null=True)),
        ("hero_alt", models.CharField(blank=True, help_text="Describe the picture.", max_length=250, verbose_name="hero image alt text")),
        ("contributing_company", models.CharField(blank=True, help_text="Confidential. Never shown publicly.", max_length=200)),
        ("confidential_terms", models.TextField(blank=True, help_text="Confidential. One per line: suppliers, brands, sites, people named in the source material. Publishing is refused while any appears in a public field.")),
        ("attribution_consent", models.BooleanField(default=False, help_text="The company gave recorded consent to be named. Only its own name may appear.")),
        ("attribution_consent_record", models.CharField(blank=True, help_text="Where the consent is recorded (who, when).", max_length=255)),
        ("reidentification_override", models.TextField(blank=True, help_text="Why publishing is acceptable although few registered companies share these public attributes.")),
        ("hero_image", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="base.storyimage")),
        ("industry", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="casestudies.industry")),
        ("region", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="casestudies.region")),
        ("intervention_types", modelcluster.fields.ParentalManyToManyField(related_name="+", to="casestudies.interventiontype")),
        ("stages", modelcluster.fields.ParentalManyToManyField(related_name="+", to="casestudies.supplychainstage", verbose_name="supply-chain stages")),
        ("risks_addressed", modelcluster.fields.ParentalManyToManyField(blank=True, help_text="The ILO indicators of forced labour this work addressed.", related_name="+", to="casestudies.forcedlabourindicator", verbose_name="risks addressed")),
    ]
    return migrations.CreateModel(name=name, fields=[page_ptr(), *shared, *own_fields], options={"verbose_name": verbose_name}, bases=("wagtailcore.page",))


class Migration(migrations.Migration):
    initial = True

    replaces = [("casestudies", name) for name in ["0001_initial", "0002_site_structure", "0003_metric_result_precision", "0004_bright_spot_precision", "0005_step_kinds_and_risks", "0006_casestudypage_step_kinds"]]

    dependencies = [
        ("base", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        *[listing(name) for name in ("HomePage", "CaseStudyIndexPage", "BrightSpotIndexPage")],
        vocabulary("Industry", verbose_name_plural="industries"),
        vocabulary("InterventionType", ("knowthechain_theme", models.CharField(blank=True, choices=[("commitment-and-governance", "Commitment and governance"), ("traceability-and-risk-assessment", "Traceability and risk assessment"), ("purchasing-practices", "Purchasing practices"), ("recruitment", "Recruitment"), ("worker-voice", "Worker voice"), ("monitoring", "Monitoring"), ("remedy", "Remedy")], help_text="The KnowTheChain benchmark theme this practice answers.", max_length=40, verbose_name="KnowTheChain theme"))),
        vocabulary("Region"),
        vocabulary("SupplyChainStage", ("position", models.PositiveSmallIntegerField(default=0, help_text="Order from source to shelf.")), ordering=["position", "name"]),
        vocabulary("ForcedLabourIndicator"),
        vocabulary("StepKind"),
        migrations.CreateModel(
            name="MetricDefinition",
            fields=[
                auto_id(),
                ("name", models.CharField(max_length=120, unique=True)),
                ("slug", models.SlugField(max_length=120, unique=True)),
                ("unit", models.CharField(help_text="The unit every result must use, e.g. 'USD', 'workers', '%'.", max_length=40)),
                ("counts", models.TextField(verbose_name="What it counts")),
                ("higher_is_better", models.BooleanField(default=True)),
                ("framework", models.CharField(blank=True, help_text="For example 'GRI 409-1' or 'ILO forced labour indicator: debt bondage'.", max_length=200, verbose_name="Framework alignment")),
            ],
            options={"ordering": ["name"]},
        ),
        story(
            "CaseStudyPage",
            "case study",
            ("summary", models.TextField(help_text="Two or three sentences for cards.", max_length=600)),
            ("challenge", wagtail.fields.RichTextField()),
            ("steps", wagtail.fields.StreamField([("step", 7)], block_lookup={0: ("wagtail.blocks.CharBlock", (), {"max_length": 120}), 1: ("wagtail.snippets.blocks.SnippetChooserBlock", ("casestudies.StepKind",), {"help_text": "What this step does, in the shared list of step kinds.", "required": False}), 2: ("wagtail.blocks.RichTextBlock", (), {"features": ["bold", "italic", "ol", "ul", "link"]}), 3: ("wagtail.blocks.CharBlock", (), {"help_text": "Roles, not names: 'sourcing team, supplier HR managers'.", "required": False}), 4: ("wagtail.blocks.CharBlock", (), {"help_text": "For example '6 months'.", "max_length": 80, "required": False}), 5: ("wagtail.blocks.ChoiceBlock", [], {"choices": [("none", "No direct cost"), ("under-10k", "Under USD 10,000"), ("10k-100k", "USD 10,000 – 100,000"), ("100k-1m", "USD 100,000 – 1 million"), ("over-1m", "Over USD 1 million")], "required": False}), 6: ("wagtail.blocks.TextBlock", (), {"help_text": "What to watch out for in this step.", "required": False}), 7: ("wagtail.blocks.StructBlock", [[("heading", 0), ("kind", 1), ("what_was_done", 2), ("who_was_involved", 3), ("duration", 4), ("cost_band", 5), ("pitfalls", 6)]], {})}, help_text="The steps taken, in order.")),
            ("step_kinds", modelcluster.fields.ParentalManyToManyField(blank=True, editable=False, related_name="+", to="casestudies.stepkind")),
            ("what_did_not_work", wagtail.fields.RichTextField(blank=True)),
            ("lessons", wagtail.fields.RichTextField(blank=True)),
            ("resources", wagtail.fields.StreamField([("link", 3), ("document", 5)], blank=True, block_lookup={0: ("wagtail.blocks.CharBlock", (), {"max_length": 200}), 1: ("wagtail.blocks.URLBlock", (), {}), 2: ("wagtail.blocks.CharBlock", (), {"max_length": 300, "required": False}), 3: ("wagtail.blocks.StructBlock", [[("title", 0), ("url", 1), ("description", 2)]], {}), 4: ("wagtail.documents.blocks.DocumentChooserBlock", (), {}), 5: ("wagtail.blocks.StructBlock", [[("document", 4), ("description", 2)]], {})})),
            ("featured", models.BooleanField(default=False, help_text="Lead with it on the home page.")),
        ),
        migrations.CreateModel(
            name="MetricResult",
            fields=[
                auto_id(),
                ("sort_order", models.IntegerField(blank=True, editable=False, null=True)),
                ("page", modelcluster.fields.ParentalKey(on_delete=django.db.models.deletion.CASCADE, related_name="results", to="casestudies.casestudypage")),
                ("metric", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="results", to="casestudies.metricdefinition")),
                ("baseline", models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True)),
                ("result", models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True)),
                ("unit", models.CharField(blank=True, help_text="Must be the metric's unit.", max_length=40)),
                precision("precision", "How precisely baseline and result are shown. Every total on the portal is computed from the shown values, so nobody can subtract their way to the exact figure."),
                ("period_start", models.DateField(blank=True, null=True)),
                ("period_end", models.DateField(blank=True, null=True)),
                ("period_detail", models.CharField(choices=[("years", "Years only (2022–2023)"), ("months", "Months (Mar 2022 – Jun 2023)")], default="years", help_text="Exact months are easy to match against a company's own reports.", max_length=10, verbose_name="period shown as")),
                verification(),
                ("note", models.CharField(blank=True, help_text="Public note on the figure.", max_length=300)),
            ],
            options={"ordering": ["sort_order"], "abstract": False},
        ),
        story(
            "BrightSpotPage",
            "bright spot",
            ("body", models.TextField(help_text="Two or three sentences.", max_length=500)),
            ("metric", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="bright_spots", to="casestudies.metricdefinition")),
            ("metric_value", models.DecimalField(decimal_places=2, max_digits=16)),
            ("metric_unit", models.CharField(help_text="Must be the metric's unit.", max_length=40)),
            precision("metric_precision", "How precisely the figure is shown: an exact figure is easy to match against a company's own reports."),
            verification(),
            ("case_study", models.ForeignKey(blank=True, help_text="The full story, if there is one.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="bright_spots", to="casestudies.casestudypage")),
        ),
        migrations.RunPython(create_site, migrations.RunPython.noop),
        migrations.RunPython(load_indicators, remove_indicators),
    ]

"""The anonymity app's schema in one migration: 0001 to 0003 squashed.

A database that applied 0001-0003 counts this one as applied (``replaces``), so upgrade to the
previous release first. None of them held data a fresh install needs.
"""

import django.db.models.deletion
import wagtail.fields
from django.conf import settings
from django.db import migrations, models


def auto_id():
    return ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))


class Migration(migrations.Migration):
    initial = True

    replaces = [("anonymity", name) for name in ["0001_initial", "0002_operating_regions_and_findings", "0003_membershipsettings"]]

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("casestudies", "0001_squashed_0006_casestudypage_step_kinds"),
        ("wagtailcore", "0098_apitoken"),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            "DenylistTerm",
            [
                auto_id(),
                ("term", models.CharField(max_length=200, unique=True)),
                ("reason", models.CharField(blank=True, help_text="Why it is listed (never shown publicly).", max_length=255)),
            ],
            options={"verbose_name": "denylisted term", "ordering": ["term"]},
        ),
        migrations.CreateModel(
            "ContributingCompany",
            [
                auto_id(),
                ("name", models.CharField(max_length=200, unique=True)),
                ("size_band", models.CharField(choices=[("small", "Small (under 250 employees)"), ("medium", "Medium (250 – 4,999 employees)"), ("large", "Large (5,000 – 49,999 employees)"), ("very-large", "Very large (50,000+ employees)")], max_length=20, verbose_name="company size")),
                ("hq_region", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="casestudies.region", verbose_name="headquarters region")),
                ("industry", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="casestudies.industry")),
                ("member_group", models.OneToOneField(blank=True, help_text="Its people's sign-in group (named 'Member: …').", limit_choices_to={"name__startswith": "Member: "}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="company", to="auth.group")),
                ("stages", models.ManyToManyField(blank=True, help_text="Stages of the supply chain the company's own stories could describe.", related_name="+", to="casestudies.supplychainstage", verbose_name="supply-chain stages")),
                ("operating_regions", models.ManyToManyField(blank=True, help_text="Regions where the company's supply chain has work. A story's region is where the work happened, so these are the companies it could be about.", related_name="+", to="casestudies.region", verbose_name="operating regions")),
            ],
            options={"verbose_name": "contributing company", "verbose_name_plural": "contributing companies", "ordering": ["name"]},
        ),
        migrations.CreateModel(
            "ConfidentialTermFinding",
            [
                auto_id(),
                ("problems", models.JSONField(default=list)),
                ("found_at", models.DateTimeField(auto_now=True)),
                ("page", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.WAGTAIL_PAGE_MODEL)),
            ],
            options={"ordering": ["page__title", "page_id"]},
        ),
        migrations.CreateModel(
            "MembershipSettings",
            [
                auto_id(),
                ("contact_email", models.EmailField(blank=True, help_text="Where companies write to join or to have an account added to their company.", max_length=254)),
                ("what_members_get", wagtail.fields.RichTextField(blank=True, help_text="Shown on the membership page. Do not name or count members-only stories.")),
                ("how_to_join", wagtail.fields.RichTextField(blank=True, help_text="Shown on the membership page, after what members get.")),
                ("site", models.OneToOneField(editable=False, on_delete=django.db.models.deletion.CASCADE, to="wagtailcore.site")),
            ],
            options={"verbose_name": "membership"},
        ),
    ]

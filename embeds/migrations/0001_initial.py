"""What partners' sites load: a count per domain, month, kind and story."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL)]

    operations = [
        migrations.CreateModel(
            "PartnerActivity",
            [
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("domain", models.CharField(max_length=253)),
                ("month", models.DateField(help_text="The first day of the month counted.")),
                ("kind", models.CharField(choices=[("embed", "Embed card load"), ("republish", "Republished story view")], max_length=10)),
                ("count", models.PositiveIntegerField(default=0)),
                ("page", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.WAGTAIL_PAGE_MODEL)),
            ],
            options={
                "verbose_name": "partner activity",
                "verbose_name_plural": "partner activity",
                "ordering": ["-month", "domain", "kind"],
                "constraints": [models.UniqueConstraint(fields=("domain", "month", "kind", "page"), name="one_count_per_story_and_month")],
            },
        ),
    ]

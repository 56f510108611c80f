"""The search app's schema in one migration: 0001 to 0003 squashed.

A database that applied 0001-0003 counts this one as applied (``replaces``), so upgrade to the
previous release first. A fresh database still gets the default synonyms (0002): search needs
them from the first query, and editors refine them in the admin.
"""

from django.db import migrations, models

DEFAULT_SYNONYMS = [
    "recruitment fees, placement fees, agency fees, recruitment costs",
    "grievance mechanism, hotline, helpline, complaints channel, worker voice",
    "employer pays principle, employer pays, no fees policy, zero fees",
    "forced labour, forced labor",
    "labour trafficking, labor trafficking, human trafficking",
    "debt bondage, bonded labour, bonded labor",
    "remediation, repayment, reimbursement",
    "passport retention, document retention, confiscated passports",
    "migrant workers, foreign workers",
    "supplier, vendor",
    "audit, social audit, inspection",
    "apparel, garment, clothing, textiles",
    "seafood, fishing, fisheries",
    "labour agency, labor agency, recruitment agency, labour broker, labor broker",
]


def seed(apps, schema_editor):
    SearchSynonym = apps.get_model("search", "SearchSynonym")
    for terms in DEFAULT_SYNONYMS:
        SearchSynonym.objects.get_or_create(terms=terms)


def unseed(apps, schema_editor):
    apps.get_model("search", "SearchSynonym").objects.filter(terms__in=DEFAULT_SYNONYMS).delete()


class Migration(migrations.Migration):
    initial = True

    replaces = [("search", name) for name in ["0001_initial", "0002_default_synonyms", "0003_index_lock"]]

    dependencies = []

    operations = [
        # The outbox of pages to reindex, drained after commit (search/tasks.py).
        migrations.CreateModel(
            "IndexChange",
            [
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("page_id", models.PositiveBigIntegerField(blank=True, db_index=True, null=True)),
                ("reason", models.CharField(max_length=40)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"ordering": ["id"]},
        ),
        migrations.CreateModel(
            "IndexLock",
            [
                ("name", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("holder", models.CharField(blank=True, max_length=64)),
                ("expires_at", models.DateTimeField(blank=True, null=True)),
                ("last_version", models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            "SearchSynonym",
            [
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("terms", models.CharField(help_text="Two or more words or phrases that mean the same, separated by commas, e.g. 'recruitment fees, placement fees, agency fees'.", max_length=500, unique=True)),
            ],
            options={"verbose_name": "search synonym", "ordering": ["terms"]},
        ),
        migrations.RunPython(seed, unseed),
    ]

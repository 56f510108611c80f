from django.db import migrations

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
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

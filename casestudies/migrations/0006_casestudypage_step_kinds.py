"""``CaseStudyPage.step_kinds``: the kinds a case study's live steps take, as a relation.

Filled here from each page's own row, which holds the live content (a draft lives in a
revision only), so existing stories match the step facet at once.
"""

import modelcluster.fields
from django.db import migrations


def fill_step_kinds(apps, schema_editor):
    case_study = apps.get_model("casestudies", "CaseStudyPage")
    step_kind = apps.get_model("casestudies", "StepKind")
    through = case_study._meta.get_field("step_kinds").remote_field.through
    known = set(step_kind.objects.values_list("pk", flat=True))
    rows = []
    for page in case_study.objects.only("pk", "steps").iterator(chunk_size=500):
        taken = []
        for item in page.steps.raw_data:
            kind = (item.get("value") or {}).get("kind") if item.get("type") == "step" else None
            if kind in known and kind not in taken:
                taken.append(kind)
        rows += [through(casestudypage_id=page.pk, stepkind_id=kind) for kind in taken]
    through.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("casestudies", "0005_step_kinds_and_risks"),
    ]

    operations = [
        migrations.AddField(
            model_name="casestudypage",
            name="step_kinds",
            field=modelcluster.fields.ParentalManyToManyField(
                blank=True, editable=False, related_name="+", to="casestudies.stepkind"
            ),
        ),
        migrations.RunPython(fill_step_kinds, migrations.RunPython.noop),
    ]

"""Replace Wagtail's welcome page with the portal's home and the two listings.

The listings' slugs are part of the public contract (/case-studies/, /bright-spots/).
"""

from django.db import migrations


def create_structure(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("casestudies.HomePage")
    CaseStudyIndexPage = apps.get_model("casestudies.CaseStudyIndexPage")
    BrightSpotIndexPage = apps.get_model("casestudies.BrightSpotIndexPage")

    Page.objects.filter(depth=2, slug="home").delete()
    locale = Locale.objects.first()

    def content_type(model):
        ct, _ = ContentType.objects.get_or_create(
            app_label="casestudies", model=model.__name__.lower()
        )
        return ct

    home = HomePage.objects.create(
        title="Here's How",
        draft_title="Here's How",
        slug="home",
        content_type=content_type(HomePage),
        path="00010001",
        depth=2,
        numchild=2,
        url_path="/home/",
        locale=locale,
        intro="Anonymized case studies and bright spots from companies ending forced labour "
        "in their supply chains: the challenge, the steps, the cost, what did not work, "
        "and the measured results.",
    )
    for n, (model, title, slug, intro) in enumerate(
        [
            (CaseStudyIndexPage, "Case studies", "case-studies",
             "How peers ended recruitment fees, gave workers a voice and fixed purchasing "
             "practices, step by step."),
            (BrightSpotIndexPage, "Bright spots", "bright-spots",
             "Short successes worth five seconds of praise, each with its headline result."),
        ],
        start=1,
    ):
        model.objects.create(
            title=title,
            draft_title=title,
            slug=slug,
            content_type=content_type(model),
            path=f"00010001{n:04d}",
            depth=3,
            numchild=0,
            url_path=f"/home/{slug}/",
            locale=locale,
            intro=intro,
        )
    Page.objects.filter(depth=1).update(numchild=1)
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", root_page_id=home.id, is_default_site=True,
                        site_name="Here's How")


class Migration(migrations.Migration):
    dependencies = [
        ("casestudies", "0001_initial"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_structure, migrations.RunPython.noop)]

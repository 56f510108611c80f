"""Read every live story again with today's matching rules and terms.

Run after deploying a change to the guard's matching (``anonymity/matching.py``) or after
loading denylist terms in bulk: the stale-terms report (/admin/reports/confidential-terms/)
lists what it finds, and nothing is taken down without an editor.
"""

from django.core.management.base import BaseCommand

from anonymity.models import ConfidentialTermFinding
from anonymity.recheck import rescan_live_stories


class Command(BaseCommand):
    help = (
        "Check every live story against the current confidential terms and matching rules; "
        "the stale-terms report in the admin lists the stories that show one."
    )

    def handle(self, *args, **options):
        found = rescan_live_stories()
        for finding in ConfidentialTermFinding.objects.select_related("page").order_by("page_id"):
            self.stdout.write(f"{finding.page.title} (page {finding.page_id})")
        self.stdout.write(
            f"{found} live stor{'y shows' if found == 1 else 'ies show'} a confidential term; "
            "see Reports › Confidential terms on live pages."
        )

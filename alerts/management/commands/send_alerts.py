"""Send what is due once: for cron, besides (or instead of) the task worker."""

from django.core.management.base import BaseCommand

from alerts.delivery import send_due
from alerts.models import forget_unconfirmed
from alerts.tasks import match_pending


class Command(BaseCommand):
    help = (
        "Match stories published since the last run to followed searches, then send every "
        "alert and weekly digest that is due. Messages the SMTP server refuses stay queued "
        "and are tried again on a later run."
    )

    def handle(self, *args, **options):
        forgotten = forget_unconfirmed()
        matched = match_pending()
        sent = send_due()
        self.stdout.write(
            f"{matched['stories']} new stories matched ({matched['alerts']} alerts, "
            f"{matched['waiting']} waiting for the search index); "
            f"{sent['sent']} alerts sent, {sent['withheld']} withheld (members only), "
            f"{sent['dropped']} dropped (unpublished), {sent['failed']} to retry; "
            f"{forgotten} unconfirmed sign-ups forgotten."
        )

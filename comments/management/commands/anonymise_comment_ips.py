from django.core.management.base import BaseCommand

from comments.commenters.retention import anonymise_old_comments
from comments.models import DiscussionSettings


class Command(BaseCommand):
    help = (
        "Mask the IP addresses (IPv4 to /24, IPv6 to /48) and clear the user agents of comments "
        "older than the discussion settings' retention period. Safe to run repeatedly; run it "
        "daily."
    )

    def handle(self, *args, **options):
        count = anonymise_old_comments()
        days = DiscussionSettings.current().ip_retention_days
        self.stdout.write(
            f"Anonymised the IP address of {count} comment{'' if count == 1 else 's'} "
            f"older than {days} day{'' if days == 1 else 's'}."
        )

"""IP addresses are kept only as long as moderation needs them.

After `DiscussionSettings.ip_retention_days`, a comment's IP address is masked, the way WordPress's
privacy tools and most analytics anonymisers do it: IPv4 to its /24 (203.0.113.77 becomes
203.0.113.0), IPv6 to its /48 (2001:db8:85a3:8d3::1 becomes 2001:db8:85a3::). Masking rather
than nulling keeps what the rules still use for old comments, the network (a disallowed
203.0.113.0/24 still matches; a wave of spam from one network is still visible), while the value
no longer points at one subscriber line. The user agent, kept only for spam checks on arrival,
and the digest of the posting browser's id, kept only so that confirming an address publishes
what that browser wrote (comments/commenters/verification.py), are cleared at the same time.

Run by `manage.py anonymise_comment_ips` (daily, from cron) and by the `anonymise_comment_ips`
task, which the site also queues by itself, at most every few hours, when comments arrive.
Running it again changes nothing: a masked address is its own mask.
"""

import datetime
import ipaddress

from django.core.cache import cache
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import task

from ..models import Comment, DiscussionSettings
from ..signals import comment_received

IPV4_PREFIX = 24
IPV6_PREFIX = 48
#: How often arriving comments may queue the task (the command can run more often).
AUTO_RUN_EVERY = datetime.timedelta(hours=6)
AUTO_RUN_CACHE_KEY = "comments:ip-retention:queued"


def anonymise_ip(address):
    """The address with its host part zeroed: IPv4 to /24, IPv6 to /48.

    An IPv4 address mapped into IPv6 (::ffff:203.0.113.77) is masked as the IPv4 it is.
    """
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def anonymise_old_comments(now=None):
    """Mask the IP address and clear the user agent and browser digest of comments past the
    retention period.

    Returns the number of comments whose IP address was masked. Idempotent.
    """
    now = now or timezone.now()
    days = DiscussionSettings.current().ip_retention_days
    old = Comment.objects.filter(created_at__lt=now - datetime.timedelta(days=days))
    masked = 0
    with transaction.atomic():
        old.exclude(user_agent="").update(user_agent="")
        old.exclude(browser_digest="").update(browser_digest="")
        # One UPDATE per distinct address, not per comment; masked ones are left alone.
        addresses = old.exclude(ip_address=None).order_by().values_list("ip_address", flat=True)
        for address in addresses.distinct():
            anonymous = anonymise_ip(address)
            if anonymous != address:
                masked += old.filter(ip_address=address).update(ip_address=anonymous)
    return masked


@task()
def anonymise_comment_ips():
    """The background variant of `manage.py anonymise_comment_ips`."""
    return anonymise_old_comments()


@receiver(comment_received, dispatch_uid="comments.commenters.retention.queue_anonymisation")
def queue_anonymisation(sender, comment, **kwargs):
    """Queue the task when comments arrive, at most once per AUTO_RUN_EVERY, so retention
    happens even on a site whose operator set up no cron job."""
    if cache.add(AUTO_RUN_CACHE_KEY, True, timeout=AUTO_RUN_EVERY.total_seconds()):
        anonymise_comment_ips.enqueue()

"""Personal-data tools: export and erase everything Byline holds for one commenter's address.

The same two functions serve the commenter's own manage page (comments/views/selfservice.py),
`manage.py commenter_data` and the admin action for staff holding
`comments.manage_personal_data`, as WordPress's privacy tools do.

What is held for an address: its comments (name, address, website, text, status, IP address,
user agent, notification choice) and its CommenterAddress row (verification, trust and
notification dates). Each comment also keeps a keyed digest of the random id of the browser
that posted it (comments/commenters/verification.py): like the address's digest it is not exported,
as it means nothing without the key, and it is removed with the IP address. The rate-limit counters
in the cache expire by themselves and hold no address. Digests listed in the discussion
settings' disallowed addresses are kept: they are the publication's defence against abuse, and
reveal nothing without the key.

Erasure follows one rule, stated in `ERASURE_RULE` and shown to whoever asks for it:

- approved comments stay on the page, anonymised as WordPress does (`Comment.anonymise`): the
  name becomes "Anonymous"; address, website, IP address and user agent are removed, and each
  draws an avatar of its own rather than the address's (comments/commenters/avatars.py). The
  text stays, so the replies around it still make sense;
- every other comment (held, spam, removed, withdrawn) was never public or is no longer: it
  is deleted, unless others replied to it while it was public, in which case it is anonymised
  and its text replaced by `comments.models.ERASED_BODY`;
- the CommenterAddress row is deleted, which ends every link sent to the address.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from ..models import ANONYMOUS, Comment, CommenterAddress
from .privacy import digest

ERASURE_RULE = (
    "Your published comments stay on the site without your name, address, website or IP "
    f"address, shown as written by “{ANONYMOUS}”. Comments that are not published are deleted. "
    "We then forget your address, and every link we sent you stops working."
)


def _when(value):
    return value.isoformat() if isinstance(value, datetime.datetime) else None


def export(email):
    """Everything stored for `email`, decrypted, as a JSON-ready dict (for its owner or staff
    holding the personal-data permission only)."""
    key = digest(email)
    address = CommenterAddress.objects.filter(email_digest=key).first() if key else None
    comments = Comment.objects.from_address(email).select_related("article")
    return {
        "exported_at": _when(timezone.now()),
        "address": email,
        "commenter_address": None
        if address is None
        else {
            "email": address.email,
            "first_seen_at": _when(address.created_at),
            "verified_at": _when(address.verified_at),
            "distrusted_at": _when(address.distrusted_at),
            "notifications_confirmed_at": _when(address.notifications_confirmed_at),
            "notifications_stopped_at": _when(address.notifications_stopped_at),
            "receives_reply_notifications": address.receives_notifications,
        },
        "comments": [
            {
                "id": comment.pk,
                "article": comment.article.title,
                "article_url": comment.article.get_absolute_url(),
                "in_reply_to": comment.parent_id,
                "name": comment.name,
                "email": comment.email,
                "website": comment.website,
                "body": comment.body,
                "status": comment.status,
                "created_at": _when(comment.created_at),
                "ip_address": comment.ip_address,
                "user_agent": comment.user_agent,
                "notify_replies": comment.notify_replies,
            }
            for comment in comments
        ],
    }


def comment_count(email):
    return Comment.objects.from_address(email).count()


def erase(email):
    """Erase what is held for `email` by `ERASURE_RULE`; returns counts of what was done."""
    key = digest(email)
    result = {"anonymised": 0, "deleted": 0, "address_deleted": False}
    if not key:
        return result
    with transaction.atomic():
        comments = list(
            Comment.objects.select_for_update().from_address(email).order_by("-depth", "-pk")
        )
        for comment in comments:
            keep = (
                comment.status == Comment.Status.APPROVED
                or Comment.objects.filter(parent=comment).exists()
            )
            if not keep:
                comment.delete()
                result["deleted"] += 1
                continue
            comment.anonymise()
            result["anonymised"] += 1
        deleted, _ = CommenterAddress.objects.filter(email_digest=key).delete()
        result["address_deleted"] = bool(deleted)
    return result

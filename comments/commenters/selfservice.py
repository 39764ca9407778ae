"""Commenters look after their own comments and mail without an account: signed links.

Every message to a commenter carries two links:

- "manage my comments" (`manage_url`): lists the address's comments with their status, lets
  the owner withdraw one, choose which comments tell them of replies, and export or erase
  what Byline holds for the address. It expires after `COMMENT_MANAGE_LINK_MAX_AGE_DAYS`.
- one-click unsubscribe (`unsubscribe_url`, also in the RFC 8058 `List-Unsubscribe` headers):
  stops every reply message to the address. It does not expire: an old message must still let
  its reader stop the mail.

The double opt-in for reply notifications is the address confirmation
(comments/commenters/verification.py): ticking "Notify me of replies by email" sends nothing but its
link until the owner follows it, and following it confirms the notifications asked for
(`confirm_notifications`).

The tokens are django.core.signing values, each under its own salt, holding only the
CommenterAddress id (never the address, nor its digest). A token stops working when its address
is erased; the manage token also expires (the signature's timestamp). Following one proves the
reader can read mail sent to the address, so the manage page may turn notifications back on
directly.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles.links import absolute_url

from ..models import Comment
from . import signed_links

MANAGE_SALT = "comments.manage-link"
UNSUBSCRIBE_SALT = "comments.unsubscribe-link"


def manage_max_age():
    return datetime.timedelta(days=settings.COMMENT_MANAGE_LINK_MAX_AGE_DAYS)


def _token(address, salt):
    return signing.dumps({"a": address.pk}, salt=salt)


def manage_path(address):
    return reverse("comments:manage", kwargs={"token": _token(address, MANAGE_SALT)})


def manage_url(address):
    return absolute_url(manage_path(address))


def unsubscribe_url(address):
    token = _token(address, UNSUBSCRIBE_SALT)
    return absolute_url(reverse("comments:unsubscribe", kwargs={"token": token}))


LINKS = {
    # salt: (max age or None, what the reader is told when the link is refused)
    MANAGE_SALT: (manage_max_age, "This link to manage your comments"),
    UNSUBSCRIBE_SALT: (None, "This unsubscribe link"),
}


def address_from_token(token, salt):
    """The CommenterAddress a link names; `signed_links.InvalidLink` saying why, in plain words,
    otherwise."""
    max_age, what = LINKS[salt]
    value = signed_links.read(
        token,
        salt=salt,
        max_age=max_age() if max_age else None,
        expired=f"{what} has expired. The next message we send you carries a fresh one.",
        altered=f"{what} is not valid. Please copy the whole link from the message.",
    )
    return signed_links.address_named(
        value, "a", erased=f"{what} is for an address we no longer hold any data for."
    )


def confirm_notifications(address):
    """The owner followed a link sent to the address: reply notifications may now be sent."""
    address.notifications_confirmed_at = timezone.now()
    address.save(update_fields=["notifications_confirmed_at"])


def unsubscribe(address):
    """Stop every reply message to the address (one click, from any message we sent)."""
    address.notifications_stopped_at = timezone.now()
    address.save(update_fields=["notifications_stopped_at"])
    Comment.objects.from_address(address).filter(notify_replies=True).update(notify_replies=False)


def set_notifications(address, comment_ids):
    """Notify of replies to exactly the comments in `comment_ids` (from the manage page).

    The manage link was mailed to the address, so choosing any comment confirms the choice.
    Returns how many comments now notify.
    """
    owned = Comment.objects.from_address(address)
    comment_ids = [int(pk) for pk in comment_ids if str(pk).isascii() and str(pk).isdigit()]
    chosen = owned.filter(pk__in=comment_ids).exclude(
        status__in=[Comment.Status.SPAM, Comment.Status.WITHDRAWN]
    )
    owned.exclude(pk__in=chosen.values("pk")).update(notify_replies=False)
    count = chosen.update(notify_replies=True)
    if count and not address.receives_notifications:
        confirm_notifications(address)
    elif not count and address.receives_notifications:
        unsubscribe(address)
    return count


def withdraw(address, comment_id):
    """Withdraw one of the address's own comments (`Comment.withdraw`): it leaves the site and
    the queue at once.

    Returns the comment, or None when it is not theirs or cannot be withdrawn (spam and
    removed comments stay as the moderators left them).
    """
    if not (str(comment_id).isascii() and str(comment_id).isdigit()):
        return None
    with transaction.atomic():
        comment = (
            Comment.objects.from_address(address)
            .select_for_update()
            .filter(pk=comment_id, status__in=Comment.WITHDRAWABLE)
            .first()
        )
        if comment is None:
            return None
        comment.withdraw()
    return comment

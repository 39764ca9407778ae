"""What the moderation queue does besides deciding: where it is, what waits, reply as staff.

The admin (comments/admin/queue.py) calls these; the decisions themselves are
`moderation.moderate`, shared with the bulk actions.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from authors.models import Author

from . import moderation, threads
from .models import Comment


def pending_queue_url():
    """The moderation queue filtered to what waits (a path: prefix `SITE_URL` for mail).

    The one address of the pending queue: the admin's link beside the pending count
    (templatetags/moderation_queue.py), the dashboard's box (config/dashboard.py) and the
    moderators' notice (comments/mail/tasks.py) all point here.
    """
    query = urlencode({"status__exact": Comment.Status.PENDING})
    return f"{reverse('admin:comments_comment_changelist')}?{query}"


def pending_count():
    """How many comments wait for a moderator: one COUNT over the (status, created_at) index."""
    return Comment.objects.pending().count()


class ReplyRefused(Exception):
    """A staff reply that cannot be posted; `message` says why, for the moderator."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def staff_name(user):
    """The name a staff reply is published under: the author profile's name if the account has
    one, else the account's full name, else the publication's name (never the login name)."""
    profile = Author.profile_of(user)
    if profile is not None:
        return profile.name
    return user.get_full_name() or settings.SITE_NAME


def reply_target_problem(parent, rules):
    """Why `parent` cannot take a staff reply now, or None."""
    if parent.status in (Comment.Status.SPAM, Comment.Status.REMOVED):
        return (
            f"{parent.name}’s comment is marked {parent.get_status_display().lower()}: "
            "approve it before replying, so that readers can see what the reply answers."
        )
    if parent.status == Comment.Status.WITHDRAWN:
        return f"{parent.name} withdrew this comment; it cannot take replies."
    if not threads.takes_replies(parent, rules.thread_depth):
        return threads.too_deep_message(parent, rules.thread_depth)
    return None


def reply_as_staff(parent, body, user, rules=None):
    """Publish `user`'s reply to `parent` at once, as staff; return `(reply, approved)`.

    `approved` lists the comments this approved on the way: replying to a pending comment
    approves it (a reply under a hidden comment would not be shown). The reply is approved as
    every staff reply is (`moderation.staff_reply_decision`), carries `staff_user` (its badge)
    and is announced like any new approved comment (`comment_received`, `comment_approved`,
    after commit).
    """
    rules = rules or moderation.discussion_settings()
    with transaction.atomic():
        parent = Comment.objects.select_for_update().get(pk=parent.pk)
        approved = []
        if parent.status == Comment.Status.PENDING:
            approved = moderation.moderate([parent], Comment.Status.APPROVED, user)
            parent.refresh_from_db()
        problem = reply_target_problem(parent, rules)
        if problem:
            raise ReplyRefused(problem)
        now = timezone.now()
        reply = Comment(
            article_id=parent.article_id,
            parent=parent,
            name=staff_name(user),
            email=user.email,
            body=body,
            staff_user=user,
            moderated_by=user,
            moderated_at=now,
            created_at=now,
        )
        moderation.record_decision(moderation.staff_reply_decision(), reply)
        reply.save()
        moderation.announce(reply)
    return reply, approved

"""The messages comments send, as django-tasks tasks: no request ever waits for a mail server.

Tasks take ids, never an address (the task queue's table must not hold one), and look the
rows up when they run: a comment withdrawn or an address erased in between sends nothing.
A message the mail server refuses fails the task with an error naming rows, not addresses
(comments/mail/delivery.py).
comments/mail/notifications.py decides who is told of what and enqueues these.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from articles.links import absolute_url

from .. import staff_replies
from ..commenters import selfservice, verification
from ..models import Comment, CommenterAddress, DiscussionSettings
from ..permissions import MODERATE
from .delivery import MailNotSent, deliver

FOLLOW_UP_KEY = "comments:moderator-follow-up:{}"
#: Set while a `notify_moderators` run is queued and has not started (`queue_moderator_notice`).
NOTICE_QUEUED_KEY = "comments:moderator-notice-queued"
#: How long that mark holds at most: with the worker stopped, one more run is queued per period.
NOTICE_QUEUED_SECONDS = 10 * 60
#: The key verification.request_confirmation throttles confirmation messages with: the box and
#: the button under the thank-you message share one limit.
CONFIRMATION_SENT_KEY = "comments:confirmation-sent:{}"


def _render(template, context):
    context = {"SITE_NAME": settings.SITE_NAME, **context}
    return render_to_string(f"comments/email/{template}", context).strip() + "\n"


def _subject(text):
    return f"[{settings.SITE_NAME}] {text}"


def _send_to_commenter(address, subject, template, context):
    """One message to a commenter, with the manage link and the one-click unsubscribe.

    The List-Unsubscribe headers (RFC 2369, RFC 8058) hold the same signed link as the body;
    the address appears nowhere but in To.
    """
    unsubscribe = selfservice.unsubscribe_url(address)
    context = {
        **context,
        "manage_url": selfservice.manage_url(address),
        "manage_days": settings.COMMENT_MANAGE_LINK_MAX_AGE_DAYS,
        "unsubscribe_url": unsubscribe,
    }
    message = EmailMessage(
        subject=_subject(subject),
        body=_render(template, context),
        to=[address.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    deliver(message, [address])


def _address_to_notify(email_digest):
    """The address to tell of its comment, when Byline holds it and it receives notifications
    (`CommenterAddress.receives_notifications`); else None."""
    if not email_digest:
        return None
    address = CommenterAddress.objects.filter(email_digest=email_digest).first()
    return address if address is not None and address.receives_notifications else None


def moderators():
    """Active staff who may moderate comments and have an address to write to."""
    # Named because django-axes's backend stands before the one that knows permissions.
    users = get_user_model().objects.with_perm(
        MODERATE,
        is_active=True,
        include_superusers=True,
        backend="django.contrib.auth.backends.ModelBackend",
    )
    return users.filter(is_staff=True).exclude(email="").order_by("pk")


def _claim_moderator_notification(rules, now):
    """Take the right to notify moderators now, or return False inside the quiet window.

    A conditional UPDATE: of any number of concurrent tasks, exactly one matches the row.
    """
    window = datetime.timedelta(minutes=rules.moderator_notification_minutes)
    claimed = (
        DiscussionSettings.objects.filter(pk=rules.pk)
        .filter(
            Q(moderators_notified_at__isnull=True) | Q(moderators_notified_at__lte=now - window)
        )
        .update(moderators_notified_at=now)
    )
    return claimed == 1


def queue_moderator_notice():
    """Queue `notify_moderators` for a comment just held, unless a run is already queued and
    has not started yet: that run reads every comment held since the last message, this one
    included (it was stored before this is called). A flood of held comments queues one run,
    not one task row per comment.

    A run clears the mark as it starts, before it reads the comments, so a comment held after
    that queues a run of its own. While the cache cannot be read the run is queued anyway: no
    held comment waits unannounced for the cache to come back. (Two comments held at the same
    moment may both queue one: the second run finds nothing new and sends nothing.) Once a run
    is marked queued, each further comment costs one cache read.
    """
    if cache.get(NOTICE_QUEUED_KEY) is not None:
        return
    cache.add(NOTICE_QUEUED_KEY, True, timeout=NOTICE_QUEUED_SECONDS)
    notify_moderators.enqueue()


@task()
def notify_moderators(follow_up=False):
    """Tell moderators that comments are waiting: at most one message every
    `DiscussionSettings.moderator_notification_minutes`.

    A comment that arrives inside the quiet window is not forgotten: when the task backend can
    run tasks later, one follow-up is queued for the window's end, which sends if comments
    arrived since the last message. Follow-ups never queue further follow-ups.
    """
    cache.delete(NOTICE_QUEUED_KEY)  # first: a comment held from now on queues another run
    rules = DiscussionSettings.current()
    now = timezone.now()
    since = rules.moderators_notified_at
    new = Comment.objects.pending()
    if since is not None:
        new = new.filter(created_at__gt=since)
    if not new.exists():
        return 0
    if not _claim_moderator_notification(rules, now):
        if not follow_up:
            _queue_follow_up(rules, since)
        return 0
    recipients = [user.email for user in moderators()]
    if not recipients:
        return 0
    pending = Comment.objects.pending().select_related("article").order_by("-created_at")
    waiting = pending.count()
    queue_url = absolute_url(staff_replies.pending_queue_url())
    subject = f"{waiting} comment{'' if waiting == 1 else 's'} waiting for moderation"
    body = _render(
        "moderators.txt",
        {
            "waiting": waiting,
            "new": new.count(),
            "latest": pending[:10],
            "queue_url": queue_url,
            "minutes": rules.moderator_notification_minutes,
        },
    )
    # One message, every moderator in Bcc: moderators do not learn each other's addresses.
    deliver(
        EmailMessage(subject=_subject(subject), body=body, bcc=recipients),
        "the moderators' notice",
    )
    return len(recipients)


def _queue_follow_up(rules, since):
    backend = notify_moderators.get_backend()
    if since is None or not backend.supports_defer:
        return
    run_after = since + datetime.timedelta(minutes=rules.moderator_notification_minutes)
    window = max(int((run_after - timezone.now()).total_seconds()), 1)
    if cache.add(FOLLOW_UP_KEY.format(since.isoformat()), True, timeout=window + 60):
        notify_moderators.using(run_after=run_after).enqueue(follow_up=True)


@task()
def notify_authors(comment_pk):
    """Tell the article's authors who sign in as staff that a comment on it was approved."""
    comment = Comment.objects.approved().select_related("article").filter(pk=comment_pk).first()
    if comment is None:
        return 0
    users = [
        author.user
        for author in comment.article.authors.select_related("user")
        if author.user is not None
        and author.user.is_active
        and author.user.email
        and author.user.pk != comment.staff_user_id
    ]
    not_sent = []
    for user in users:
        message = EmailMessage(
            subject=_subject(f"New comment on “{comment.article.title}”"),
            body=_render(
                "author.txt",
                {
                    "user": user,
                    "comment": comment,
                    "comment_url": absolute_url(comment.get_absolute_url()),
                },
            ),
            to=[user.email],
        )
        try:
            deliver(message, [user])
        except MailNotSent as failure:  # the other authors are still told
            not_sent.append(str(failure))
    if not_sent:
        raise MailNotSent("; ".join(not_sent))
    return len(users)


@task()
def send_notification_confirmation(commenter_address_pk):
    """The double opt-in: the address confirmation link, which turns on the reply
    notifications asked for. At most one confirmation message per address every few minutes,
    however often forms name it (anyone may type an address), whether the commenter asked for
    it by this box or by the button under the thank-you message."""
    address = CommenterAddress.objects.filter(pk=commenter_address_pk).first()
    if address is None or address.receives_notifications:
        return False
    key = CONFIRMATION_SENT_KEY.format(address.pk)
    if not cache.add(key, True, timeout=verification.RESEND_INTERVAL):
        return False
    _send_to_commenter(
        address,
        "Confirm reply notifications",
        "confirm_notifications.txt",
        {
            "confirm_url": verification.confirmation_url(address),
            "confirm_days": settings.COMMENT_CONFIRMATION_MAX_AGE_DAYS,
        },
    )
    return True


@task()
def notify_of_reply(reply_pk):
    """Tell the author of the comment replied to, if they asked for replies and confirmed."""
    reply = (
        Comment.objects.approved()
        .select_related("article", "parent")
        .filter(pk=reply_pk, parent__isnull=False)
        .first()
    )
    if reply is None:
        return False
    parent = reply.parent
    if not parent.notify_replies or parent.status != Comment.Status.APPROVED:
        return False
    if parent.email_digest == reply.email_digest:  # nobody is told of their own reply
        return False
    address = _address_to_notify(parent.email_digest)
    if address is None:
        return False
    _send_to_commenter(
        address,
        f"New reply to your comment on “{reply.article.title}”",
        "reply.txt",
        {
            "reply": reply,
            "parent": parent,
            "reply_url": absolute_url(reply.get_absolute_url()),
        },
    )
    return True


@task()
def notify_of_approval(comment_pk):
    """Tell a commenter who asked for mail that their held comment is now published."""
    comment = Comment.objects.approved().select_related("article").filter(pk=comment_pk).first()
    if comment is None or not comment.notify_replies:
        return False
    address = _address_to_notify(comment.email_digest)
    if address is None:
        return False
    _send_to_commenter(
        address,
        f"Your comment on “{comment.article.title}” is published",
        "approved.txt",
        {"comment": comment, "comment_url": absolute_url(comment.get_absolute_url())},
    )
    return True

"""Who is told of what, when a comment moves through moderation.

Receivers of comments/signals.py, connected in CommentsConfig.ready(). Signals arrive after the
comment's transaction committed; each receiver only enqueues a task (comments/mail/tasks.py), which
sends the mail in the background and looks everything up again when it runs.

- A comment is held: moderators hear of it, batched (`tasks.notify_moderators`, queued once
  for any number of comments held before it runs: `tasks.queue_moderator_notice`).
- A comment is approved: the article's authors with a staff account hear of it; if it is a
  reply, the author of the comment replied to (if they asked, and confirmed); if it had been
  held, its own author (if they asked, and confirmed) — WordPress core still tells nobody.
- A commenter ticks "Notify me of replies by email": unless the address already receives
  notifications, nothing is sent to it but the address confirmation link (double opt-in).
  Confirming the address (comments/commenters/verification.py) confirms the notifications asked for.
"""

from django.dispatch import receiver

from .. import moderation, signals
from ..commenters import selfservice
from ..models import Comment
from . import tasks


@receiver(signals.comment_received, dispatch_uid="comments.mail.notifications.received")
def comment_received(sender, comment, **kwargs):
    if comment.status == Comment.Status.PENDING:
        tasks.queue_moderator_notice()
    if comment.notify_replies and comment.status != Comment.Status.SPAM:
        address = moderation.record_commenter(comment)
        if address is not None and not address.receives_notifications:
            tasks.send_notification_confirmation.enqueue(address.pk)


@receiver(signals.comment_approved, dispatch_uid="comments.mail.notifications.approved")
def comment_approved(sender, comment, **kwargs):
    tasks.notify_authors.enqueue(comment.pk)
    if comment.parent_id is not None:
        tasks.notify_of_reply.enqueue(comment.pk)
    if comment.moderated_at is not None and comment.notify_replies:
        tasks.notify_of_approval.enqueue(comment.pk)


@receiver(signals.address_confirmed, dispatch_uid="comments.mail.notifications.confirmed")
def address_confirmed(sender, commenter_address, **kwargs):
    """The owner confirmed the address: the reply notifications they asked for start."""
    if Comment.objects.from_address(commenter_address).filter(notify_replies=True).exists():
        selfservice.confirm_notifications(commenter_address)

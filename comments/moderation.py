"""Moderation rules for reader comments.

Two questions live here, kept apart as in django-contrib-comments: what happens to a comment
when it arrives (`initial_status`), and what a moderator's decision does (`moderate`). Views
and admin actions call these functions rather than setting statuses themselves.
"""

from .models import Comment

HOLD_FOR_REVIEW = "held: every comment is reviewed before it appears"


def initial_status(comment):
    """Decide the status of a new comment and say why.

    Returns `(status, reason)`. Until the discussion settings exist, every reader comment is
    held for review; a comment written by staff is published at once.
    """
    if comment.is_staff_reply:
        return Comment.Status.APPROVED, "approved: written by staff"
    return Comment.Status.PENDING, HOLD_FOR_REVIEW


DECISIONS = {
    Comment.Status.APPROVED: Comment.approve,
    Comment.Status.SPAM: Comment.mark_spam,
    Comment.Status.REMOVED: Comment.remove,
}


def moderate(comments, decision, moderator):
    """Apply a moderator's decision to each comment; return those whose status changed."""
    apply = DECISIONS[decision]
    changed = []
    for comment in comments:
        if comment.status != decision:
            apply(comment, by=moderator)
            changed.append(comment)
    return changed

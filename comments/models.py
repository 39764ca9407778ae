from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone

from articles.models import Article


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def moderation_queue(self):
        """Pending comments first, then the rest, newest first within each group."""
        return self.order_by(*MODERATION_QUEUE_ORDER)


class Comment(models.Model):
    """A reader's comment or reply on an article.

    `email` is private: it is written once, by the comment form, and read only in the admin by
    staff holding the `view_commenter_email` permission. No template or public view reads it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    website = models.URLField(max_length=300, blank=True)
    body = models.TextField(validators=[MaxLengthValidator(settings.COMMENT_MAX_LENGTH)])
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    held_reason = models.CharField(
        max_length=255, blank=True, help_text="Why the moderation rules gave this status."
    )
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_comments",
        help_text="Set when a member of staff wrote this comment as the publication.",
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderated_comments",
        editable=False,
    )
    moderated_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_article_status"),
            models.Index(fields=["status", "-created_at"], name="comment_status_created"),
        ]
        permissions = [
            ("view_commenter_email", "Can see commenters' email addresses"),
        ]

    def __str__(self):
        return f"{self.name} on {self.article}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    @property
    def is_staff_reply(self):
        return self.staff_user_id is not None

    @property
    def excerpt(self):
        text = " ".join(self.body.split())
        return text if len(text) <= 80 else text[:79].rstrip() + "…"

    def _moderate(self, status, by):
        self.status = status
        self.moderated_by = by
        self.moderated_at = timezone.now()
        self.save(update_fields=["status", "moderated_by", "moderated_at"])

    def approve(self, by=None):
        self._moderate(self.Status.APPROVED, by)

    def mark_spam(self, by=None):
        self._moderate(self.Status.SPAM, by)

    def remove(self, by=None):
        self._moderate(self.Status.REMOVED, by)


MODERATION_QUEUE_ORDER = [
    models.Case(
        models.When(status=Comment.Status.PENDING, then=models.Value(0)),
        default=models.Value(1),
    ).asc(),
    "-created_at",
]

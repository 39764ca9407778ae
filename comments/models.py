from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles.models import Article

from .commenters import avatars
from .commenters.privacy import EncryptedEmailField, digest


class TransitionRefused(ValueError):
    """A state change the model refuses (`Comment.withdraw`, `Comment.approve`,
    `CommenterAddress.verify`...): the message says which move and why, for the caller's log or
    the person asking."""


def comment_length_ceiling():
    """The server's ceiling on a comment's length: the COMMENT_MAX_LENGTH setting, read when a
    comment is validated (not when the module is imported, so that the migrations do not depend
    on the environment). `DiscussionSettings.comment_max_length` never exceeds it."""
    return settings.COMMENT_MAX_LENGTH


#: What erasure leaves of an anonymised comment (`Comment.anonymise`): its author's name becomes
#: ANONYMOUS, and the text of a comment that was not published becomes ERASED_BODY.
ANONYMOUS = "Anonymous"
ERASED_BODY = "[This comment was erased at its author's request.]"


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def from_address(self, address):
        """Comments written under `address`: an address as typed (in any case, with any spacing
        around it) or a CommenterAddress. No address, no comments.

        The one way to find an address's comments: addresses are stored encrypted, so they are
        found by the address's keyed digest (comments/commenters/privacy.py), never by `email`.
        """
        key = address.email_digest if isinstance(address, CommenterAddress) else digest(address)
        return self.filter(email_digest=key) if key else self.none()

    def moderation_queue(self):
        """Pending comments first, then the rest, newest first within each group."""
        return self.order_by(*MODERATION_QUEUE_ORDER)


class CommentStatus(models.TextChoices):
    """A comment's status, used as `Comment.Status` (defined outside the model only so that its
    Meta can name the values in a CheckConstraint)."""

    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    SPAM = "spam", "Spam"
    REMOVED = "removed", "Removed"
    WITHDRAWN = "withdrawn", "Withdrawn by the commenter"


class Comment(models.Model):
    """A reader's comment or reply on an article.

    `email` is private: it is written once, by the comment form, stored encrypted with its
    keyed digest beside it (comments/commenters/privacy.py), and read only in the admin by staff
    holding the `view_commenter_email` permission (`permissions.may_see_addresses`) and by the
    code that sends the commenter messages.
    No template or public view reads it.
    """

    Status = CommentStatus

    #: What a commenter may withdraw (`withdraw`): spam and removed comments stay as the
    #: moderators left them.
    WITHDRAWABLE = (Status.PENDING, Status.APPROVED)

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    name = models.CharField(max_length=100)
    email = EncryptedEmailField()
    email_digest = models.CharField(
        max_length=64, blank=True, editable=False, help_text="Keyed HMAC of the address."
    )
    website = models.URLField(max_length=300, blank=True)
    body = models.TextField(validators=[MaxLengthValidator(comment_length_ceiling)])
    depth = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text="0 for a comment, 1 for a reply to it, and so on."
    )
    # The top-level comment a reply belongs to (None for a top-level comment), stored by `save`
    # so that a page of comments (comments/pages.py) selects its top-level comments and then
    # their replies by root, without reading the rest of a long thread.
    thread_root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="thread_replies",
        editable=False,
        db_index=False,  # comment_thread leads with the article; see Meta.indexes
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    held_reason = models.CharField(
        max_length=500, blank=True, help_text="Why the moderation rules gave this status."
    )
    moderation_rule = models.CharField(
        max_length=40,
        blank=True,
        help_text="The rule that decided the status (comments/moderation.py), for filtering.",
    )
    notify_replies = models.BooleanField(
        default=False,
        help_text="The commenter asked to be told of replies (sent once the address is confirmed).",
    )
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    browser_digest = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Keyed digest of the random id of the browser that posted it: confirming the "
        "address publishes only comments held from the confirming browser. Cleared with the IP "
        "address after the retention period.",
    )
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
    submission_key = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Digest of the form served and the text posted: the same page posted twice "
        "is stored once (comments/moderation.py, submission_key).",
    )
    avatar_key = models.CharField(
        max_length=64,
        default=avatars.comment_key,
        editable=False,
        help_text="What the avatar beside the comment is drawn from "
        "(comments/commenters/avatars.py): its address's avatar when its owner is known to have "
        "written it (from a browser proving the address, or staff), else one of its own.",
    )
    # The avatar drawn from `avatar_key`, stored with it by `save` (avatars.drawing) so that the
    # page prints it without computing anything per request.
    avatar_colour = models.CharField(max_length=7, editable=False)
    avatar_path = models.CharField(max_length=avatars.LONGEST_PATH, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_article_status"),
            # A page of comments (comments/pages.py): a slice of the article's top-level
            # comments in order, then every comment of those threads, found by their root.
            models.Index(
                fields=["article", "status", "created_at", "id"],
                condition=models.Q(parent__isnull=True),
                name="comment_top_level",
            ),
            models.Index(
                "article",
                "status",
                Coalesce("thread_root", "id"),
                name="comment_thread",
            ),
            models.Index(fields=["status", "-created_at"], name="comment_status_created"),
            models.Index(fields=["email_digest", "created_at"], name="comment_digest_created"),
            models.Index(fields=["moderation_rule", "status"], name="comment_rule_status"),
            models.Index(fields=["ip_address", "created_at"], name="comment_ip_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="comment_unique_submission",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=CommentStatus.values), name="comment_status_valid"
            ),
            # A reply's parent on the same article, and its depth one more than the parent's,
            # span two rows: no CheckConstraint can say so. `clean` does, and `save` computes
            # the depth. What one row can say, the database holds:
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="comment_not_its_own_parent"
            ),
            # Every comment is saved with its avatar drawn (`save`); rows inserted otherwise
            # (bulk_create, `update`) must store `avatars.drawing(avatar_key)` too.
            models.CheckConstraint(
                condition=~models.Q(avatar_colour="") & ~models.Q(avatar_path=""),
                name="comment_avatar_drawn",
            ),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, depth=0)
                | models.Q(parent__isnull=False, depth__gte=1),
                name="comment_depth_matches_parent",
            ),
        ]
        permissions = [
            ("view_commenter_email", "Can see commenters' email addresses"),
        ]

    def __str__(self):
        return f"{self.name} on {self.article}"

    def get_absolute_url(self):
        """The comment's permalink, on the page of comments that shows it (comments/pages.py)."""
        from .pages import comment_url

        return comment_url(self)

    def clean(self):
        """A reply answers a comment on the same article, one level deeper than it.

        The database holds what one row can say (`Meta.constraints`: a comment is not its own
        parent, a comment without a parent has depth 0); the rest is checked here.
        """
        super().clean()
        self.draw_avatar()  # before the constraints are checked: it is drawn when saved
        if self.parent_id is None:
            return
        if self.pk is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": "A comment cannot reply to itself."})
        parent = self.parent
        if self.article_id is not None and parent.article_id != self.article_id:
            raise ValidationError({"parent": "A reply must answer a comment on the same article."})
        if self.depth and self.depth != parent.depth + 1:
            raise ValidationError(
                f"A reply is one level deeper than the comment it answers "
                f"(depth {parent.depth + 1}, not {self.depth})."
            )

    def save(self, *args, **kwargs):
        self.email_digest = digest(self.email)
        if self._state.adding and self.is_staff_reply:
            self.draw_address_avatar()
        if self.parent_id is not None and not self.depth:
            self.depth = self.parent.depth + 1
        if self.parent_id is not None and self.thread_root_id is None:
            self.thread_root_id = self.parent.thread_root_id or self.parent_id
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "avatar_key" in update_fields:
            self.draw_avatar()
            if update_fields is not None:
                update_fields = kwargs["update_fields"] = {
                    *update_fields,
                    "avatar_colour",
                    "avatar_path",
                }
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_digest"}
        super().save(*args, **kwargs)

    @property
    def avatar_svg(self):
        return avatars.avatar_svg(self)

    @property
    def is_staff_reply(self):
        return self.staff_user_id is not None

    def draw_avatar(self):
        """Store the drawing of the avatar `avatar_key` stands for (not saved; `save` does it)."""
        for field, drawn in avatars.drawing(self.avatar_key).items():
            setattr(self, field, drawn)

    def draw_address_avatar(self):
        """Give the comment its address's avatar (not saved): only for a comment the address's
        owner is known to have written (comments/commenters/avatars.py). Without an address it keeps
        its own."""
        email_digest = digest(self.email)
        if email_digest:
            self.avatar_key = avatars.address_key(email_digest)

    def draw_own_avatar(self):
        """Give the comment an avatar of its own (not saved), tied to no address."""
        self.avatar_key = avatars.comment_key()

    @property
    def excerpt(self):
        text = " ".join(self.body.split())
        return text if len(text) <= 80 else text[:79].rstrip() + "…"

    # State changes. Each refuses a move the publication does not allow (TransitionRefused)
    # and saves only the fields it changes. Announcing the change (signals, on commit) is the
    # caller's: comments/moderation.py for decisions and releases.

    def _refuse_unsaved(self, move):
        if self.pk is None:
            raise TransitionRefused(f"Cannot {move} a comment that is not stored yet.")

    def _moderate(self, status, by):
        self._refuse_unsaved(f"mark as {status}")
        self.status = status
        self.moderated_by = by
        self.moderated_at = timezone.now()
        self.save(update_fields=["status", "moderated_by", "moderated_at"])

    def approve(self, by=None, *, rule="", reason=""):
        """Publish the comment.

        A moderator's decision (`by`: the moderator, or None) is recorded with its time, from
        whatever status the comment had. The rules releasing a held comment without a
        moderator (`moderation.release_identity_holds`, when its owner confirms the address)
        give instead the `rule` and `reason` it is approved by, which replace the hold's; only
        a held comment is released, and it takes its address's avatar, since it was posted
        from the browser that proved the address (comments/commenters/avatars.py).
        """
        if not rule:
            if reason:
                raise TransitionRefused("A reason for approving is recorded with its rule.")
            self._moderate(self.Status.APPROVED, by)
            return
        self._refuse_unsaved("release")
        if by is not None:
            raise TransitionRefused("A moderator's approval is not a release by the rules.")
        if self.status != self.Status.PENDING:
            raise TransitionRefused(
                f"Only a held comment is released by the rules; comment #{self.pk} is "
                f"{self.get_status_display().lower()}."
            )
        self.status = self.Status.APPROVED
        self.held_reason = reason
        self.moderation_rule = rule
        self.moderated_at = timezone.now()
        self.draw_address_avatar()
        self.save(
            update_fields=["status", "held_reason", "moderation_rule", "moderated_at", "avatar_key"]
        )

    def mark_spam(self, by=None):
        self._moderate(self.Status.SPAM, by)

    def remove(self, by=None):
        self._moderate(self.Status.REMOVED, by)

    @property
    def is_withdrawable(self):
        """Whether the commenter may withdraw it (`withdraw`; their manage page offers it)."""
        return self.status in self.WITHDRAWABLE

    def withdraw(self):
        """The commenter takes the comment back (their manage page): it leaves the site and the
        queue at once, and tells them of no more replies. Only a held or published comment may
        be withdrawn (`WITHDRAWABLE`): spam and removed comments stay as the moderators left
        them."""
        self._refuse_unsaved("withdraw")
        if not self.is_withdrawable:
            raise TransitionRefused(
                f"Comment #{self.pk} is {self.get_status_display().lower()}: only a held or "
                "published comment can be withdrawn."
            )
        self.status = self.Status.WITHDRAWN
        self.notify_replies = False
        self.save(update_fields=["status", "notify_replies"])

    def anonymise(self):
        """Erase what the comment holds about its author (comments/commenters/personal_data.py,
        ERASURE_RULE), keeping its place in the thread.

        The name becomes ANONYMOUS; address, website, IP address, user agent and browser digest
        are removed, no reply is notified, and the comment draws an avatar of its own rather
        than the address's. A published comment keeps its text, so the replies around it still
        make sense; any other comment's text becomes ERASED_BODY. A comment with no address
        left (already anonymised) is refused: there is nothing of its author to erase.
        """
        self._refuse_unsaved("anonymise")
        if not self.email:
            raise TransitionRefused(
                f"Comment #{self.pk} holds no address: there is nothing of its author to erase."
            )
        self.name = ANONYMOUS
        self.email = ""
        self.website = ""
        self.ip_address = None
        self.user_agent = ""
        self.browser_digest = ""
        self.notify_replies = False
        self.draw_own_avatar()
        fields = [
            "name",
            "email",
            "website",
            "ip_address",
            "user_agent",
            "browser_digest",
            "notify_replies",
            "avatar_key",
        ]
        if self.status != self.Status.APPROVED:
            self.body = ERASED_BODY
            fields.append("body")
        self.save(update_fields=fields)


MODERATION_QUEUE_ORDER = [
    models.Case(
        models.When(status=Comment.Status.PENDING, then=models.Value(0)),
        default=models.Value(1),
    ).asc(),
    "-created_at",
]


#: Threaded replies go 1 level deep (comments without replies) to 10, WordPress's own ceiling
#: ("Enable threaded comments N levels deep" offers 2 to 10). Each level indents the reply further,
#: so a 10th-level reply is already narrow on a phone, and headings stop stepping down at the
#: 4th level (threads.LAST_HEADING). The database holds the same bounds (a CheckConstraint).
MIN_THREAD_DEPTH = 1
MAX_THREAD_DEPTH = 10
THREAD_DEPTH_MESSAGES = {
    "min_value": f"At least {MIN_THREAD_DEPTH} level: 1 shows comments without replies.",
    "max_value": f"At most {MAX_THREAD_DEPTH} levels: deeper replies grow too narrow to read, "
    "on a phone above all.",
}


#: The primary key of the one discussion-settings row (a CheckConstraint allows no other).
SETTINGS_ROW = 1


class CommentsPage(models.TextChoices):
    """Which page of a long thread the article's own address shows (WordPress's "…page
    displayed by default"); `DiscussionSettings.default_comments_page`."""

    NEWEST = "newest", "The last page: the newest comments"
    OLDEST = "oldest", "The first page: the oldest comments"


class DiscussionSettings(models.Model):
    """The discussion rules, one row, edited by staff in the admin (like WordPress's
    Settings → Discussion). `DiscussionSettings.current()` reads it, cached per request cycle by
    the caller; comments/moderation.py applies it.
    """

    class Mode(models.TextChoices):
        APPROVE_ALL = "approve_all", "Approve every comment that passes the rules"
        HOLD_ALL = "hold_all", "Hold every comment for a moderator"
        TRUSTED = "trusted", "Approve verified, trusted commenters; hold everyone else"

    mode = models.CharField(
        "Moderation",
        max_length=20,
        choices=Mode,
        default=Mode.TRUSTED,
    )
    max_links = models.PositiveSmallIntegerField(
        "Hold when a comment has more links than",
        default=2,
    )
    moderation_words = models.TextField(
        blank=True,
        help_text="One word or phrase per line. A comment containing one is held.",
    )
    disallowed_words = models.TextField(
        blank=True,
        help_text="One word or phrase per line. A comment containing one is marked as spam.",
    )
    disallowed_ips = models.TextField(
        "Disallowed IP addresses",
        blank=True,
        help_text="One address or network (e.g. 203.0.113.0/24) per line: marked as spam.",
    )
    disallowed_email_digests = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Keyed digests of disallowed commenter addresses (never stored in clear).",
    )
    min_seconds_to_post = models.FloatField(
        "Minimum seconds between loading the page and posting",
        default=3.0,
        help_text="Faster than this is treated as a bot: spam.",
    )
    max_form_age_hours = models.PositiveSmallIntegerField(
        "Comment form expires after (hours)",
        default=24,
        help_text="Older forms are refused with a message asking the reader to post again.",
    )
    comments_per_ip_per_minute = models.PositiveSmallIntegerField(default=5)
    comments_per_address_per_hour = models.PositiveSmallIntegerField(default=20)
    duplicate_window_minutes = models.PositiveIntegerField(
        default=60 * 24,
        help_text="A commenter posting the same text on the same article again within this "
        "window, from the browser where they confirmed their address, is answered as the first "
        "time and nothing is stored twice. (The same page posted twice is never stored twice.)",
    )
    close_after_days = models.PositiveIntegerField(
        "Close comments after (days)",
        null=True,
        blank=True,
        default=None,
        help_text="Days after publication; empty keeps comments open. Each article may override.",
    )
    max_length = models.PositiveIntegerField("Maximum comment length (characters)", default=5000)
    thread_depth = models.PositiveSmallIntegerField(
        "Threaded replies, levels deep",
        default=3,
        validators=[
            MinValueValidator(MIN_THREAD_DEPTH, THREAD_DEPTH_MESSAGES["min_value"]),
            MaxValueValidator(MAX_THREAD_DEPTH, THREAD_DEPTH_MESSAGES["max_value"]),
        ],
        help_text=f"From {MIN_THREAD_DEPTH} (comments without replies) to {MAX_THREAD_DEPTH}. "
        "Replies already posted deeper stay where they are.",
    )
    comments_per_page = models.PositiveIntegerField(
        "Top-level comments per page",
        default=50,
        help_text="Break comments into pages with this many top-level comments per page, each "
        "with all its replies; 0 shows every comment on the article's page.",
    )
    default_comments_page = models.CharField(
        "Comments page shown by default",
        max_length=10,
        choices=CommentsPage,
        default=CommentsPage.NEWEST,
        help_text="Which page of comments the article's own address shows; the others have "
        "addresses of their own, linked from “Older comments” and “Newer comments”. Within "
        "a page, comments read oldest first.",
    )
    moderator_notification_minutes = models.PositiveIntegerField(
        "At most one moderator notification every (minutes)", default=30
    )
    moderators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    spam_check_enabled = models.BooleanField(
        "Check new comments with the external spam service",
        default=False,
        help_text="Needs COMMENT_SPAM_BACKEND configured. Slow or failing checks hold the comment.",
    )
    ip_retention_days = models.PositiveIntegerField(
        "Anonymise IP addresses after (days)", default=30
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "discussion settings"
        verbose_name_plural = "discussion settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(thread_depth__gte=MIN_THREAD_DEPTH)
                & models.Q(thread_depth__lte=MAX_THREAD_DEPTH),
                name="discussion_thread_depth_range",
            ),
            models.CheckConstraint(
                condition=models.Q(pk=SETTINGS_ROW), name="discussion_settings_single_row"
            ),
        ]

    def __str__(self):
        return "Discussion settings"

    def save(self, *args, **kwargs):
        self.pk = SETTINGS_ROW
        super().save(*args, **kwargs)

    @classmethod
    def current(cls):
        settings_row, _ = cls.objects.get_or_create(pk=SETTINGS_ROW)
        return settings_row

    @property
    def comment_max_length(self):
        """The most characters a comment's text may have: the one place the limit is decided,
        read by the comment form (its validation and the textarea's `maxlength`) and the staff
        reply form.

        Staff choose it (`max_length`) up to the server's ceiling, the COMMENT_MAX_LENGTH setting
        (`comment_length_ceiling`, which the settings page refuses to pass and the Comment model
        validates). A limit saved before the setting was lowered yields to it here.
        """
        return min(self.max_length, comment_length_ceiling())


class CommenterAddress(models.Model):
    """What Byline knows about one commenter's address, keyed by its digest, without accounts.

    An address is verified once its owner clicks the signed confirmation link sent to it
    (offered after a first comment); that also confirms any reply notifications asked for.
    It is trusted when verified, holding an approved comment, and not marked as spam since.
    """

    email_digest = models.CharField(max_length=64, unique=True)
    email = EncryptedEmailField()
    verified_at = models.DateTimeField(null=True, blank=True)
    distrusted_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when a moderator marked a comment from it as spam."
    )
    created_at = models.DateTimeField(default=timezone.now)
    notifications_confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the owner last confirmed, from a link sent to the address, that they "
        "want reply notifications (double opt-in).",
    )
    notifications_stopped_at = models.DateTimeField(
        null=True, blank=True, help_text="When the owner last unsubscribed from every message."
    )
    confirmation_nonce = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text="Signed into every confirmation link sent since the last was used; cleared "
        "when one is used, which ends them all (links are single-use).",
    )

    class Meta:
        verbose_name = "commenter address"
        permissions = [
            ("manage_personal_data", "Can export and erase the data held for an address"),
        ]

    def __str__(self):
        return f"Commenter address #{self.pk}"

    def save(self, *args, **kwargs):
        self.email_digest = digest(self.email)
        super().save(*args, **kwargs)

    def verify(self):
        """Its owner confirmed the address (comments/commenters/verification.py,
        `confirm_address`): recorded once, with the time of the first confirmation."""
        if self.pk is None:
            raise TransitionRefused("Cannot verify an address that is not stored yet.")
        if self.verified_at is not None:
            raise TransitionRefused(f"{self} was already verified on {self.verified_at:%Y-%m-%d}.")
        self.verified_at = timezone.now()
        self.save(update_fields=["verified_at"])

    def distrust(self, when=None):
        """A moderator marked a comment from the address as spam: it is no longer trusted
        (comments/moderation.py, `distrust_addresses`). Dated `when` (now by default), again
        for each comment marked as spam.

        One UPDATE by the address's digest, so that it needs no row read first and holds
        against a concurrent change; an address Byline did not know yet (this instance not
        stored) is recorded, distrusted, unless a comment from it recorded it meanwhile.
        Refused for a comment without an address: there is nothing to distrust.
        """
        email_digest = self.email_digest or digest(self.email)
        if not email_digest:
            raise TransitionRefused("Cannot distrust a commenter without an address.")
        when = when or timezone.now()
        self.distrusted_at = when
        addresses = type(self).objects.filter(email_digest=email_digest)
        if addresses.update(distrusted_at=when) or self.pk is not None:
            return
        try:
            with transaction.atomic():
                self.save()
        except IntegrityError:  # recorded meanwhile by a comment from the same address
            addresses.update(distrusted_at=when)

    @property
    def receives_notifications(self):
        """Whether reply notifications may be sent: the owner confirmed them (or the address
        itself, which confirms them too) after their latest unsubscribe, if any."""
        confirmed = max(
            (when for when in (self.notifications_confirmed_at, self.verified_at) if when),
            default=None,
        )
        stopped = self.notifications_stopped_at
        return confirmed is not None and (stopped is None or confirmed > stopped)

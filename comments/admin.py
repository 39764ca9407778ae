from django.contrib import admin, messages
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.timesince import timesince

from . import admin_personal_data, admin_settings, moderation  # noqa: F401  (admin_settings registers its page)
from .models import MODERATION_QUEUE_ORDER, Comment

EMAIL_PERMISSION = "comments.view_commenter_email"


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The moderation queue: pending comments first, with why each was held."""

    list_display = ["excerpt", "name", "article_title", "status", "held_reason", "age", "is_reply"]
    list_display_links = ["excerpt"]
    list_filter = ["status", ("article", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["article"]
    search_fields = ["name", "body"]
    actions = ["approve", "mark_spam", "remove", admin_personal_data.export_or_erase]
    list_per_page = 50
    # The changelist orders by this, not by the queryset's own order.
    ordering = MODERATION_QUEUE_ORDER
    readonly_fields = [
        "article",
        "parent",
        "name",
        "website",
        "created_at",
        "held_reason",
        "ip_address",
        "user_agent",
        "staff_user",
        "moderated_by",
        "moderated_at",
    ]

    def lookup_allowed(self, lookup, value, request=None):
        # The changelist accepts ?<field>=<value> filters on any local field. Addresses are
        # encrypted, so such filters could never match; digests are refused so that nobody can
        # probe them from the URL. Staff allowed to see addresses search for one instead.
        if lookup.split("__", 1)[0] in ("email", "email_digest"):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        """Search names and text; staff allowed to see addresses may also search by address."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if "@" in term and " " not in term and request.user.has_perm(EMAIL_PERMISSION):
            results = results | queryset.from_address(term)
        return results, may_have_duplicates

    def get_fields(self, request, obj=None):
        fields = ["article", "parent", "name"]
        # Staff without the permission see that there is an address, not what it is.
        fields.append("email" if request.user.has_perm(EMAIL_PERMISSION) else "hidden_email")
        fields += [
            "website",
            "body",
            "status",
            "held_reason",
            "created_at",
            "ip_address",
            "user_agent",
            "staff_user",
            "moderated_by",
            "moderated_at",
        ]
        return fields

    def get_readonly_fields(self, request, obj=None):
        # The address is shown to those allowed to see it, but nobody edits what a reader typed.
        return [*self.readonly_fields, "email", "hidden_email"]

    def has_add_permission(self, request):
        return False

    def has_manage_personal_data_permission(self, request):
        return request.user.has_perm(admin_personal_data.PERMISSION)

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            obj.moderated_by = request.user
            obj.moderated_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.display(description="Email")
    def hidden_email(self, comment):
        return "hidden"

    @admin.display(description="Comment")
    def excerpt(self, comment):
        return comment.excerpt

    @admin.display(description="Article", ordering="article__title")
    def article_title(self, comment):
        return Truncator(comment.article.title).chars(40)

    @admin.display(description="Age", ordering="created_at")
    def age(self, comment):
        return f"{timesince(comment.created_at)} ago"

    @admin.display(description="Reply", boolean=True)
    def is_reply(self, comment):
        return comment.parent_id is not None

    def _moderate(self, request, queryset, decision, verb):
        changed = moderation.moderate(queryset, decision, request.user)
        for comment in changed:
            self.log_change(request, comment, f"{verb} the comment.")
        count = len(changed)
        self.message_user(
            request,
            f"{count} comment{'' if count == 1 else 's'} {verb.lower()}.",
            messages.SUCCESS,
        )

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.APPROVED, "Approved")

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.SPAM, "Marked as spam")

    @admin.action(description="Remove selected comments", permissions=["change"])
    def remove(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.REMOVED, "Removed")

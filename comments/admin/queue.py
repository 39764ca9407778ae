"""The moderation queue: the Comment admin.

Pending comments come first, each with why the rules held it, its article, name, excerpt and
age, and buttons that decide it in one click (POST, CSRF-checked, permission checked here on
the server, back to the same filtered page). The same decisions run as bulk actions, and both
go through `moderation.moderate`; every decision, staff reply and change is recorded in the
comment's history (LogEntry). A moderator can reply as staff from the queue
(`staff_replies.reply_as_staff`).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timesince import timesince

from .. import moderation, staff_replies, threads
from ..models import MODERATION_QUEUE_ORDER, Comment
from ..permissions import may_manage_personal_data, may_see_addresses
from . import personal_data

#: A moderator's decisions, as the queue words them: for each status decided, the button's label
#: and the verb the history and messages record.
DECISION_LABELS = {
    Comment.Status.APPROVED: ("Approve", "Approved"),
    Comment.Status.SPAM: ("Spam", "Marked as spam"),
    Comment.Status.REMOVED: ("Remove", "Removed"),
}


#: How much of a comment its excerpt shows on hover: most comments whole, and a long one's
#: beginning, without a page of tooltips (the comment's own page shows it all).
HOVER_TEXT_LENGTH = 300


def clipped(whole, shown=None):
    """A cell's text clipped to two lines by static/css/admin.css, whole on hover."""
    return format_html(
        '<span class="clipped" title="{}">{}</span>', whole, whole if shown is None else shown
    )


class ReasonFilter(admin.SimpleListFilter):
    """Filter by the rule that decided a comment's status (`Comment.moderation_rule`)."""

    title = "reason"
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        present = set(
            Comment.objects.exclude(moderation_rule="")
            .order_by()
            .values_list("moderation_rule", flat=True)
            .distinct()
        )
        known = [(code, label) for code, label in moderation.RULES.items() if code in present]
        return known + [(code, code) for code in sorted(present - set(moderation.RULES))]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(moderation_rule=self.value())
        return queryset


class StaffReplyForm(forms.Form):
    """A staff reply's text, as long as the discussion settings allow a comment to be."""

    def __init__(self, *args, max_length, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"] = forms.CharField(
            label="Your reply",
            max_length=max_length,
            widget=forms.Textarea(attrs={"rows": 6, "cols": 70}),
            error_messages={"required": "Please write a reply."},
        )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The moderation queue: pending comments first, with why each was held."""

    list_display = ["excerpt", "commenter", "article_title", "status_and_reason", "age"]
    list_display_links = ["excerpt"]
    list_filter = ["status", ("article", admin.RelatedOnlyFieldListFilter), ReasonFilter]
    list_select_related = ["article"]
    search_fields = ["name", "body"]
    actions = ["approve", "mark_spam", "remove", personal_data.export_or_erase]
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

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/moderate/",
                self.admin_site.admin_view(self.moderate_view),
                name="{}_{}_moderate".format(*info),
            ),
            path(
                "<path:object_id>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name="{}_{}_reply".format(*info),
            ),
            *super().get_urls(),
        ]

    def get_list_display(self, request):
        """The queue's columns; the one-click buttons only for those allowed to decide."""
        columns = list(super().get_list_display(request))
        if self.has_change_permission(request):
            # First, so the buttons stay in view however wide the other columns grow.
            columns.insert(0, self.row_buttons(request))
        return columns

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
        if "@" in term and " " not in term and may_see_addresses(request.user):
            results = results | queryset.from_address(term)
        return results, may_have_duplicates

    def get_fields(self, request, obj=None):
        fields = ["article", "parent", "name"]
        # Staff without the permission see that there is an address, not what it is.
        fields.append("email" if may_see_addresses(request.user) else "hidden_email")
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
        return may_manage_personal_data(request.user)

    def save_model(self, request, obj, form, change):
        """A status chosen on the change form is a decision like the queue's buttons: it goes
        through `moderation.moderate` (address distrusted on spam, approval announced)."""
        decision = obj.status if "status" in form.changed_data else None
        if decision in DECISION_LABELS:
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            moderation.moderate([obj], decision, request.user)
            obj.refresh_from_db()
            return
        if decision is not None:
            obj.moderated_by = request.user
            obj.moderated_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.display(description="Email")
    def hidden_email(self, comment):
        return "hidden"

    @admin.display(description="Comment")
    def excerpt(self, comment):
        """The start of the comment, clipped to two lines; more of it on hover."""
        whole = Truncator(" ".join(comment.body.split())).chars(HOVER_TEXT_LENGTH)
        if comment.staff_user_id:
            return clipped(whole, format_html("<strong>Staff reply:</strong> {}", comment.excerpt))
        if comment.parent_id:
            return clipped(whole, format_html("<strong>Reply:</strong> {}", comment.excerpt))
        return clipped(whole, comment.excerpt)

    @admin.display(description="Name", ordering="name")
    def commenter(self, comment):
        return clipped(comment.name)

    @admin.display(description="Status and reason", ordering="status")
    def status_and_reason(self, comment):
        """The status, and why the rules (or a moderator) gave it (`held_reason`)."""
        return format_html(
            '<strong class="status status--{}">{}</strong><br>{}',
            comment.status,
            comment.get_status_display(),
            comment.held_reason,
        )

    @admin.display(description="Article", ordering="article__title")
    def article_title(self, comment):
        return clipped(comment.article.title)

    @admin.display(description="Age", ordering="created_at")
    def age(self, comment):
        return format_html(
            '<time datetime="{}" title="{}">{} ago</time>',
            comment.created_at.isoformat(),
            timezone.localtime(comment.created_at).strftime("%d %b %Y, %H:%M"),
            timesince(comment.created_at, depth=1),
        )

    def row_buttons(self, request):
        """The "Moderate" column: one-click decisions and a reply link for each row.

        The buttons submit the one small form outside the changelist's own form
        (`form="moderate-row"` in templates/admin/comments/comment/change_list.html), since
        forms cannot nest; each carries its row's URL and the page's filters.
        """
        filters = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}

        @admin.display(description="Moderate")
        def moderate(comment):
            url = add_preserved_filters(
                filters, reverse("admin:comments_comment_moderate", args=[comment.pk])
            )
            buttons = format_html_join(
                "",
                '<button type="submit" class="button moderate-button moderate-button--{}" '
                'form="moderate-row" formaction="{}" name="decision" value="{}" '
                'aria-label="{} the comment by {}">{}</button>',
                (
                    (decision, url, decision, label, comment.name, label)
                    for decision, (label, _verb) in DECISION_LABELS.items()
                    if comment.status != decision
                ),
            )
            reply = ""
            if comment.status in (Comment.Status.PENDING, Comment.Status.APPROVED):
                reply = format_html(
                    '<a class="button moderate-reply" href="{}" aria-label="Reply to {}">Reply</a>',
                    add_preserved_filters(
                        filters, reverse("admin:comments_comment_reply", args=[comment.pk])
                    ),
                    comment.name,
                )
            return format_html('<span class="moderate-buttons">{}{}</span>', buttons, reply)

        return moderate

    def _queue_url(self, request):
        """The queue's page the request came from, with its filters."""
        return add_preserved_filters(
            {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts},
            reverse("admin:comments_comment_changelist"),
        )

    def _back_to_queue(self, request):
        return redirect(self._queue_url(request))

    def _moderate(self, request, queryset, decision):
        verb = DECISION_LABELS[decision][1]
        changed = moderation.moderate(queryset, decision, request.user)
        for comment in changed:
            self.log_change(request, comment, f"{verb} the comment.")
        return changed

    def _decide_selected(self, request, queryset, decision):
        """An action: decide the selected comments, then say how many changed."""
        count = len(self._moderate(request, queryset, decision))
        self.message_user(
            request,
            f"{count} comment{'' if count == 1 else 's'} {DECISION_LABELS[decision][1].lower()}.",
            messages.SUCCESS,
        )

    def _comment_to_moderate(self, request, object_id):
        """The comment a row's button or reply link names: `(comment, None)`, or `(None, back to
        the queue)` when it no longer exists. PermissionDenied when the user may not moderate it.
        """
        comment = self.get_object(request, unquote(object_id))
        if comment is None:
            self.message_user(request, "That comment no longer exists.", messages.WARNING)
            return None, self._back_to_queue(request)
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        return comment, None

    def moderate_view(self, request, object_id):
        """One row's button: decide one comment, then back to the same page of the queue."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        comment, gone = self._comment_to_moderate(request, object_id)
        if gone:
            return gone
        decision = request.POST.get("decision")
        if decision not in DECISION_LABELS:
            return HttpResponseBadRequest("Unknown decision.")
        changed = self._moderate(request, [comment], decision)
        if changed:
            self.message_user(
                request,
                f"{comment.name}’s comment: {DECISION_LABELS[decision][1].lower()}.",
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                f"{comment.name}’s comment was already {comment.get_status_display().lower()}.",
                messages.INFO,
            )
        return self._back_to_queue(request)

    def reply_view(self, request, object_id):
        """Reply as staff to one comment; the reply is published at once, badged."""
        comment, gone = self._comment_to_moderate(request, object_id)
        if gone:
            return gone
        rules = moderation.discussion_settings(request)
        form = StaffReplyForm(request.POST or None, max_length=rules.comment_max_length)
        problem = staff_replies.reply_target_problem(comment, rules)
        if request.method == "POST" and problem is None and form.is_valid():
            try:
                reply, approved = staff_replies.reply_as_staff(
                    comment, form.cleaned_data["body"], request.user, rules
                )
            except staff_replies.ReplyRefused as refusal:
                problem = refusal.message
            else:
                for approved_comment in approved:
                    self.log_change(request, approved_comment, "Approved the comment.")
                self.log_change(request, comment, f"Replied as staff (comment #{reply.pk}).")
                self.log_addition(request, reply, f"Replied as staff to comment #{comment.pk}.")
                done = (
                    "Approved it and published your reply" if approved else "Published your reply"
                )
                self.message_user(
                    request,
                    format_html(
                        '{} to {}’s comment. <a href="{}">See it on the article</a>.',
                        done,
                        comment.name,
                        reply.get_absolute_url(),
                    ),
                    messages.SUCCESS,
                )
                return self._back_to_queue(request)
        thread = []
        ancestor = comment.parent
        while ancestor is not None:
            thread.insert(0, ancestor)
            ancestor = ancestor.parent
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Reply to {comment.name}",
            "comment": comment,
            "thread": thread,
            "form": form,
            "problem": problem,
            "badge": threads.badge_for(
                Comment(staff_user=request.user),
                threads.article_author_user_ids(comment.article),
            ),
            "staff_name": staff_replies.staff_name(request.user),
            "approves": comment.status == Comment.Status.PENDING,
            "preserved_filters": self.get_preserved_filters(request),
            "changelist_url": self._queue_url(request),
        }
        return TemplateResponse(
            request,
            "admin/comments/comment/reply.html",
            context,
            status=400 if request.method == "POST" else 200,
        )

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve(self, request, queryset):
        self._decide_selected(request, queryset, Comment.Status.APPROVED)

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._decide_selected(request, queryset, Comment.Status.SPAM)

    @admin.action(description="Remove selected comments", permissions=["change"])
    def remove(self, request, queryset):
        self._decide_selected(request, queryset, Comment.Status.REMOVED)

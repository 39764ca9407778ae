from django.contrib import admin, messages
from django.db.models import Count, Prefetch, Q
from django.utils import formats, timezone
from django.utils.html import format_html

from .forms import PUBLISH_PERMISSION, ArticleAdminForm
from .models import Article, Byline, Kind, Tag


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    verbose_name = "author"
    verbose_name_plural = "Authors (in byline order)"


@admin.register(Kind)
class KindAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("tagged_articles"))

    @admin.display(description="Articles", ordering="article_total")
    def article_count(self, tag):
        return tag.article_total


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("in_review", "In review"),
            ("scheduled", "Scheduled"),
            ("live", "Published and live"),
        ]

    def queryset(self, request, queryset):
        return {
            "draft": queryset.drafts,
            "in_review": queryset.in_review,
            "scheduled": queryset.scheduled,
            "live": queryset.published,
        }.get(self.value(), queryset.all)()


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Articles for the whole newsroom.

    Editors (with `articles.publish_article`) see and change everything. Contributors see their
    own unpublished articles, change only their own drafts, and may send them for review;
    every rule is checked here on the server, not only hidden in the page.
    """

    form = ArticleAdminForm
    list_display = ["title", "kind", "state_label", "byline", "published_at", "comment_count"]
    list_filter = [
        StateFilter,
        "status",
        "kind",
        ("tags", admin.RelatedOnlyFieldListFilter),
        "authors",
    ]
    search_fields = ["title", "standfirst", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    inlines = [BylineInline]
    list_select_related = ["kind"]
    actions = ["publish_now", "unpublish", "submit_for_review"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "standfirst", "body", "tags"]}),
        (
            "Featured image",
            {"fields": ["featured_image", "featured_image_alt", "featured_image_caption"]},
        ),
        (
            "Publishing",
            {"fields": ["status", "published_at", "comments_open", "created_at", "updated_at"]},
        ),
    ]

    def get_queryset(self, request):
        # "comments" is the reverse name the comments app gives its foreign key; counting by
        # name keeps this app from importing comments.
        return (
            super()
            .get_queryset(request)
            .visible_in_admin_to(request.user)
            .annotate(
                approved_comments=Count("comments", filter=Q(comments__status="approved")),
            )
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = ["created_at", "updated_at"]
        if not request.user.has_perm(PUBLISH_PERMISSION):
            readonly.append("published_at")
        return readonly

    def _is_own_draft(self, request, obj):
        return obj.created_by_id == request.user.pk and obj.status == Article.Status.DRAFT

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.has_perm(PUBLISH_PERMISSION):
            return True
        return self._is_own_draft(request, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None or request.user.has_perm(PUBLISH_PERMISSION):
            return True
        return self._is_own_draft(request, obj)

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="State", ordering="status")
    def state_label(self, article):
        state = article.state
        if state == "scheduled":
            when = formats.date_format(timezone.localtime(article.published_at), "j M Y, H:i")
            return format_html('<strong class="scheduled">Scheduled for {}</strong>', when)
        return article.get_status_display()

    @admin.display(description="Authors")
    def byline(self, article):
        return ", ".join(author.name for author in article.ordered_authors) or "—"

    @admin.display(description="Comments", ordering="approved_comments")
    def comment_count(self, article):
        return article.approved_comments

    @admin.action(description="Publish selected articles now", permissions=["publish"])
    def publish_now(self, request, queryset):
        count = 0
        for article in queryset:
            if not article.is_published():
                article.publish(at=timezone.now())
                self.log_change(request, article, "Published the article.")
                count += 1
        self.message_user(request, f"{count} article{'' if count == 1 else 's'} published.")

    @admin.action(
        description="Unpublish selected articles (back to draft)", permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset.exclude(status=Article.Status.DRAFT):
            article.unpublish()
            self.log_change(request, article, "Unpublished the article.")
            count += 1
        self.message_user(request, f"{count} article{'' if count == 1 else 's'} back to draft.")

    @admin.action(description="Submit selected drafts for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        drafts = [
            article
            for article in queryset.filter(status=Article.Status.DRAFT)
            if self.has_change_permission(request, article)
        ]
        for article in drafts:
            article.submit_for_review()
            self.log_change(request, article, "Submitted the article for review.")
        count = len(drafts)
        self.message_user(
            request,
            f"{count} article{'' if count == 1 else 's'} sent to the editors for review.",
            messages.SUCCESS,
        )

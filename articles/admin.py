from django.contrib import admin
from django.db.models import Count, Prefetch, Q

from .models import Article, Byline, Kind


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


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "status",
        "byline",
        "published_at",
        "comment_count",
    ]
    list_filter = ["status", "kind", ("tags", admin.RelatedOnlyFieldListFilter), "authors"]
    search_fields = ["title", "standfirst", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    inlines = [BylineInline]
    list_select_related = ["kind"]
    readonly_fields = ["created_at", "updated_at"]
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
            .annotate(
                approved_comments=Count("comments", filter=Q(comments__status="approved")),
            )
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
        )

    @admin.display(description="Authors")
    def byline(self, article):
        return ", ".join(author.name for author in article.ordered_authors) or "—"

    @admin.display(description="Comments", ordering="approved_comments")
    def comment_count(self, article):
        return article.approved_comments

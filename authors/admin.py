from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.html import format_html

from .models import Author


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["photo_thumbnail", "name", "role", "affiliation", "article_count"]
    list_display_links = ["photo_thumbnail", "name"]
    search_fields = ["name", "role", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "slug", "role", "affiliation", "bio", "photo"]}),
        ("Links", {"fields": ["website", "x_url", "linkedin_url", "mastodon_url"]}),
        ("Sign-in", {"fields": ["user"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("bylines"))

    @admin.display(description="Photo")
    def photo_thumbnail(self, author):
        if not author.photo:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="40" height="40" '
            'style="object-fit:cover;border-radius:50%">',
            author.photo.url,
        )

    @admin.display(description="Articles", ordering="article_total")
    def article_count(self, author):
        return author.article_total

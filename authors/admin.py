from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.html import format_html

from .models import Author, Education

CHANGE_PERMISSION = "authors.change_author"


class EducationInline(admin.TabularInline):
    """Degrees, edited on the author's profile by whoever may change that profile: an editor,
    or the author on their own (the permission is the profile's, checked on the server)."""

    model = Education
    fields = ["degree", "field", "institution", "year", "order"]
    extra = 1

    def has_view_permission(self, request, obj=None):
        return self.admin_site.get_model_admin(Author).has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.admin_site.get_model_admin(Author).has_change_permission(request, obj)

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    """Author profiles: editors manage them all; an author may edit their own.

    A staff user linked to a profile (`Author.user`) may open and change that profile without
    `authors.change_author`, but not re-link it to another account; holding no author
    permission at all, they see only their own profile. Checked on the server, so a forged
    POST for someone else's profile is refused.
    """

    list_display = ["photo_thumbnail", "name", "role", "affiliation", "article_count"]
    list_display_links = ["photo_thumbnail", "name"]
    search_fields = ["name", "role", "affiliation"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [EducationInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (
            None,
            {"fields": ["name", "slug", "role", "affiliation", "affiliation_url", "bio", "photo"]},
        ),
        ("Expertise", {"fields": ["expertise"]}),
        ("Links", {"fields": ["website", "x_url", "linkedin_url", "mastodon_url"]}),
        ("Sign-in", {"fields": ["user"]}),
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(article_total=Count("bylines"))
        user = request.user
        if user.has_perm("authors.view_author") or user.has_perm(CHANGE_PERMISSION):
            return queryset
        return queryset.filter(user=request.user)

    def _is_own(self, request, obj):
        if obj is None:
            return Author.profile_of(request.user) is not None
        return obj.user_id is not None and obj.user_id == request.user.pk

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._is_own(request, obj)

    def has_change_permission(self, request, obj=None):
        if super().has_change_permission(request, obj):
            return True
        return obj is not None and self._is_own(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm(CHANGE_PERMISSION):
            readonly.append("user")
        return readonly

    @admin.display(description="Photo")
    def photo_thumbnail(self, author):
        if not author.photo:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="40" height="40" class="author-photo-thumbnail">',
            author.photo.url,
        )

    @admin.display(description="Articles", ordering="article_total")
    def article_count(self, author):
        return author.article_total

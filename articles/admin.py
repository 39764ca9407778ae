from contextlib import contextmanager, nullcontext

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, ProtectedError, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from js_asset import Media
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version
from reversion.revisions import set_comment
from reversion.utils import mute_signals

from . import review_links, revisions
from .forms import ArticleAdminForm, AutosaveForm, MergeTagsForm
from .inline_images import InlineImageForm, store_inline_image
from .models import Article, Byline, IllegalTransition, Kind, Tag
from .permissions import can_change_article, can_edit_articles, can_publish
from .tags import matching_tags, merge_tags, popular_tags


def clipped(text):
    """A list cell's text clipped to two lines by static/css/admin.css, whole on hover."""
    return format_html('<span class="clipped" title="{}">{}</span>', text, text)


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
    actions = ["merge_selected_tags"]

    def get_queryset(self, request):
        """Editors see every tag; contributors only those they may know of, with counts of
        the articles they may know of (`Tag.objects.visible_to`). The change and history pages
        read through here too, so a hidden tag answers like a missing one."""
        return (
            super().get_queryset(request).visible_to(request.user).with_article_total(request.user)
        )

    @admin.display(description="Articles", ordering="article_total")
    def article_count(self, tag):
        return tag.article_total

    def get_urls(self):
        autocomplete = path(
            "autocomplete/",
            self.admin_site.admin_view(self.autocomplete_view),
            name="articles_tag_autocomplete",
        )
        return [autocomplete, *super().get_urls()]

    def autocomplete_view(self, request):
        """Tag names matching `?term=` as JSON, for the article form's tag suggestions."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        term = request.GET.get("term", "")
        user = request.user
        names = matching_tags(user, term) if term.strip() else popular_tags(user, 20)
        return JsonResponse({"results": names})

    def has_merge_permission(self, request):
        """Merging changes one tag and deletes the others: it needs both permissions.

        (An action's `permissions` list asks for any one of them, hence this method.)
        """
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.action(description="Merge selected tags", permissions=["merge"])
    def merge_selected_tags(self, request, queryset):
        """Ask which tag to keep, then merge the selected tags into it (articles/tags.py)."""
        if not self.has_merge_permission(request):
            raise PermissionDenied
        tags = list(queryset.order_by("-article_total", "name"))
        form = MergeTagsForm(
            request.POST if "merge" in request.POST else None,
            initial={"target_name": tags[0].name},
        )
        if form.is_valid():
            target_name = form.cleaned_data["target_name"]
            merged = [tag for tag in tags if tag.name.casefold() != target_name.casefold()]
            self.log_deletions(request, merged)
            result = merge_tags(tags, target_name)
            self.log_change(
                request,
                result.target,
                f"Merged {', '.join(result.merged_names) or 'nothing'} into this tag.",
            )
            articles = result.target.tagged_articles.count()
            self.message_user(
                request,
                format_html(
                    "Merged {} into “{}”{}: {} article{} now carry it.",
                    ", ".join(f"“{name}”" for name in result.merged_names) or "no other tag",
                    result.target.name,
                    " (a new tag)" if result.created else "",
                    articles,
                    "" if articles == 1 else "s",
                ),
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge tags",
            "opts": self.opts,
            "tags": tags,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/articles/tag/merge_tags.html", context)


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


class _ShowRevisionOnly(Exception):
    """Carries a rendered revision page out of the transaction that is rolled back under it."""

    def __init__(self, response):
        self.response = response


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    """Articles for the whole newsroom.

    Editors (`permissions.can_publish`) see and change everything. Contributors see their
    own unpublished articles, change only their own drafts, and may send them for review
    (articles/permissions.py); every rule is checked here on the server, not only hidden in
    the page.

    Every save here or by an action keeps a revision (django-reversion); the history page
    lists them, compares two, and restores one.
    """

    form = ArticleAdminForm
    # Sized by static/css/admin.css to fit a 1280-pixel screen beside the filters.
    list_display = ["headline", "kind", "state_label", "byline", "date", "comment_count"]
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
    object_history_template = "admin/articles/article/object_history.html"
    change_list_template = "admin/articles/article/change_list.html"
    inlines = [BylineInline]
    list_select_related = ["kind"]
    actions = ["publish_now", "unpublish", "submit_for_review"]

    class Media:
        js = ["articles/admin/writing.js"]

    # The writing space first (title, standfirst and body at full width, in the reading font:
    # static/css/admin.css, "The article form"), then what describes the article.
    fieldsets = [
        (None, {"fields": ["title", "standfirst", "body"], "classes": ["writing"]}),
        ("Details", {"fields": ["slug", "kind", "tags"]}),
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
        if not can_publish(request.user):
            readonly.append("published_at")
        return readonly

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or can_change_article(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or can_change_article(request.user, obj)

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def get_fieldsets(self, request, obj=None):
        """Carry the version the change form was opened at, for the stale-save check."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "loaded_version"]}), *rest]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.save(expected_version=form.expected_version)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The body editor's import map is an inline script: it carries the response's CSP nonce.

        Only this form reads `request.csp_nonce`, so only its responses have a nonce in their
        Content-Security-Policy (config/settings.py, SECURITY). The template offers a share link
        by `can_share_link`, the same rule `share_link_view` applies, and autosaves to
        `autosave_url` when the user may change the article (`autosave_view`).
        """
        nonce = getattr(request, "csp_nonce", None)
        context["media"] = Media.from_media(context["media"], nonce=nonce)
        context["autosave_url"] = (
            reverse(f"{self.admin_site.name}:articles_article_autosave", args=[quote(obj.pk)])
            if obj is not None and self.has_change_permission(request, obj)
            else ""
        )
        context["can_share_link"] = (
            obj is not None and self.has_publish_permission(request) and review_links.can_share(obj)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Revisions: history, compare, restore.

    @contextmanager
    def create_revision(self, request):
        """Keep a revision for requests that may save.

        A page that is only read needs none, nor the savepoint it costs on every changelist.
        """
        if request.method in ("GET", "HEAD"):
            yield
            return
        with super().create_revision(request):
            yield

    def get_urls(self):
        compare = path(
            "<path:object_id>/history/compare/",
            self.admin_site.admin_view(self.compare_view),
            name="articles_article_compare",
        )
        inline_image = path(
            "inline-image/",
            self.admin_site.admin_view(self.inline_image_view),
            name="articles_article_inline_image",
        )
        share_link = path(
            "<path:object_id>/share-link/",
            self.admin_site.admin_view(require_POST(self.share_link_view)),
            name="articles_article_share_link",
        )
        autosave = path(
            "<path:object_id>/autosave/",
            self.admin_site.admin_view(require_POST(self.autosave_view)),
            name="articles_article_autosave",
        )
        return [compare, inline_image, share_link, autosave, *super().get_urls()]

    def autosave_view(self, request, object_id):
        """Keep the text being written as a revision (`revisions.autosave`); POST with CSRF.

        The article form's script (static/articles/admin/writing.js) posts the title,
        standfirst and body every 30 seconds while they change. Only someone who may change
        the article may autosave it; the article itself, its version and a published article's
        live text are left as they are.
        """
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such article.")
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        form = AutosaveForm(request.POST)
        if not form.is_valid():
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        revision = revisions.autosave(article, request.user, **form.cleaned_data)
        saved_at = timezone.localtime(revision.date_created if revision else timezone.now())
        return JsonResponse(
            {
                "saved": revision is not None,
                "at": saved_at.isoformat(),
                "time": formats.time_format(saved_at, "H:i"),
                "version": article.version,
            }
        )

    def share_link_view(self, request, object_id):
        """Make a share link for an unpublished article (articles/review_links.py); editors only.

        The link is shown once, in a message on the change form; nothing stores it.
        """
        if not self.has_publish_permission(request):
            raise PermissionDenied
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such article.")
        change_url = reverse(
            f"{self.admin_site.name}:articles_article_change", args=[quote(article.pk)]
        )
        if not review_links.can_share(article):
            self.message_user(
                request,
                "Share links are for unpublished articles; this one is published or scheduled.",
                messages.WARNING,
            )
            return redirect(change_url)
        link = review_links.share_url(article)
        until = formats.date_format(
            timezone.localtime(review_links.expires_at()), "DATETIME_FORMAT"
        )
        self.log_change(request, article, f"Made a share link, valid until {until}.")
        self.message_user(
            request,
            format_html(
                "Share link for outside review, valid until {} or until the article is "
                'published: <a href="{}">{}</a>',
                until,
                link,
                link,
            ),
            messages.SUCCESS,
        )
        return redirect(change_url)

    def inline_image_view(self, request):
        """Upload an image for the article body; answers with its URL (articles/inline_images.py).

        The body editor's "Browse..." button opens this page in a window; after the upload a
        small script hands the URL back to the editor. Without the editor the page shows the
        URL to paste. A request that accepts only JSON gets `{"url": ...}` instead.
        """
        if not can_edit_articles(request.user):
            raise PermissionDenied
        wants_json = "application/json" in request.headers.get("Accept", "") and (
            "text/html" not in request.headers.get("Accept", "")
        )
        form = InlineImageForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
        )
        uploaded = None
        if form.is_valid():
            uploaded = {
                "url": store_inline_image(form.cleaned_data["image"]),
                "alt": form.cleaned_data["alt_text"],
                "caption": form.cleaned_data["caption"],
            }
            if wants_json:
                return JsonResponse(uploaded, status=201)
            form = InlineImageForm()
        elif form.is_bound and wants_json:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        editor_callback = request.GET.get("CKEditorFuncNum", "")
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": "Upload an image for the article body",
            "opts": self.opts,
            "form": form,
            "uploaded": uploaded,
            "editor_callback": editor_callback if editor_callback.lstrip("-").isdigit() else "",
            "is_popup": True,
        }
        return TemplateResponse(request, "admin/articles/article/inline_image.html", context)

    def history_view(self, request, object_id, extra_context=None):
        article = self.get_object(request, unquote(object_id))
        action_list = []
        if article is not None and self.has_view_or_change_permission(request, article):
            versions = Version.objects.get_for_object(article).select_related("revision__user")
            action_list = [
                {
                    "version": version,
                    "revision": version.revision,
                    "url": reverse(
                        f"{self.admin_site.name}:articles_article_revision",
                        args=[quote(article.pk), version.pk],
                    ),
                }
                for version in versions.order_by("-pk")
            ]
        context = {
            "action_list": action_list,
            "can_restore": article is not None and self.has_change_permission(request, article),
            "compare_url": reverse(
                f"{self.admin_site.name}:articles_article_compare", args=[quote(object_id)]
            ),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, context)

    def compare_view(self, request, object_id):
        """A word-level diff of the title, standfirst and body between two revisions."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        versions = Version.objects.get_for_object(article).select_related("revision__user")
        try:
            older = versions.get(pk=int(request.GET["from"]))
            newer = versions.get(pk=int(request.GET["to"]))
        except (KeyError, ValueError, Version.DoesNotExist) as error:
            raise Http404("Choose two revisions of this article to compare.") from error
        if older.pk > newer.pk:
            older, newer = newer, older
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": f"Changes to “{article}”",
            "opts": self.opts,
            "original": article,
            "older": older,
            "newer": newer,
            "comparison": revisions.compare(older, newer),
        }
        return TemplateResponse(request, "admin/articles/article/compare_revisions.html", context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Show an older revision in the change form; saving that form restores it.

        Replaces reversion's view, which reverts first, asks for permission only on the
        *reverted* article and keeps any redirect as a save: a contributor could put an old
        draft back over a published article. Here the article as it stands and as restored
        must both be the user's to change. The revert also writes back the old `version`; the
        current number is kept, so versions never count backwards and the restore is refused
        like any stale save if someone saves after the restore page was opened.
        """
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_change_permission(request, article):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_for_object(article), pk=version_id)
        context = {
            "title": f"Restore “{version.object_repr}”",
            "revert": True,
            **(extra_context or {}),
        }
        showing_only = request.method != "POST"
        try:
            with (
                transaction.atomic(using=version.db),
                mute_signals(pre_save, post_save, pre_delete, post_delete, m2m_changed)
                if showing_only
                else nullcontext(),
            ):
                stored = Article._base_manager.select_for_update().filter(pk=article.pk)
                current_version = stored.values_list("version", flat=True).get()
                version.revision.revert(delete=True)
                stored.update(version=current_version)
                restored = self.get_object(request, unquote(object_id))
                if restored is None or not self.has_change_permission(request, restored):
                    raise PermissionDenied
                with self.create_revision(request):
                    response = self.changeform_view(request, object_id, request.path, context)
                    if not showing_only and response.status_code == 302:
                        saved_on = formats.date_format(
                            timezone.localtime(version.revision.date_created), "DATETIME_FORMAT"
                        )
                        set_comment(f"Restored the version saved on {saved_on}.")
                        return response
                    if hasattr(response, "render"):
                        response.template_name = self.revision_form_template or (
                            self._reversion_get_template_list("revision_form.html")
                        )
                        response.render()
                    raise _ShowRevisionOnly(response)
        except (RevertError, ProtectedError) as error:
            messages.error(request, str(error))
            return redirect(f"{self.admin_site.name}:articles_article_history", quote(article.pk))
        except _ShowRevisionOnly as shown:
            return shown.response

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "can_recover": self.has_publish_permission(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        """Bringing back deleted articles is for editors (reversion checks only the model)."""
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    @admin.display(description="Title", ordering="title")
    def headline(self, article):
        """The title, clipped to two lines by static/css/admin.css; the whole on hover."""
        return clipped(article.title)

    @admin.display(description="Date", ordering="published_at")
    def date(self, article):
        """The publication date; the time on hover (a scheduled article's state shows it too)."""
        if article.published_at is None:
            return None
        when = timezone.localtime(article.published_at)
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            when.isoformat(),
            formats.date_format(when, "j M Y, H:i"),
            formats.date_format(when, "j M Y"),
        )

    @admin.display(description="State", ordering="status")
    def state_label(self, article):
        state = article.state
        if state == "scheduled":
            when = formats.date_format(timezone.localtime(article.published_at), "j M Y, H:i")
            return format_html('<strong class="scheduled">Scheduled for {}</strong>', when)
        return article.get_status_display()

    @admin.display(description="Authors")
    def byline(self, article):
        return clipped(", ".join(author.name for author in article.ordered_authors) or "—")

    @admin.display(description="Comments", ordering="approved_comments")
    def comment_count(self, article):
        return article.approved_comments

    # The actions move each selected article by its model transition (`Article.publish`, …);
    # one the transition refuses (already live, already a draft…) is passed over and not
    # counted, so selecting a mixed page is never an error.

    def _move_each(self, request, articles, transition, log_message):
        """Apply `transition` to each of `articles`, logging every move; the number moved."""
        count = 0
        for article in articles:
            try:
                transition(article)
            except IllegalTransition:
                continue
            self.log_change(request, article, log_message)
            count += 1
        return count

    @admin.action(description="Publish selected articles now", permissions=["publish"])
    def publish_now(self, request, queryset):
        count = self._move_each(
            request,
            queryset,
            lambda article: article.publish(at=timezone.now()),
            "Published the article.",
        )
        self.message_user(request, f"{count} article{'' if count == 1 else 's'} published.")

    @admin.action(
        description="Unpublish selected articles (back to draft)", permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        count = self._move_each(request, queryset, Article.unpublish, "Unpublished the article.")
        self.message_user(request, f"{count} article{'' if count == 1 else 's'} back to draft.")

    @admin.action(description="Submit selected drafts for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        count = self._move_each(
            request,
            [article for article in queryset if self.has_change_permission(request, article)],
            Article.submit_for_review,
            "Submitted the article for review.",
        )
        self.message_user(
            request,
            f"{count} article{'' if count == 1 else 's'} sent to the editors for review.",
            messages.SUCCESS,
        )

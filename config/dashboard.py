"""The newsroom dashboard: what needs doing now, at the top of the admin index.

Each box shows only to staff whose permissions cover it: for articles, the rules in
articles/permissions.py; for comments, comments/permissions.py. Each costs at most one query
whatever the amount of data: lists are cut to `BOX_LIMIT` rows, counts are counted by the
database. Models are looked up through the app registry when the page is built.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.urls import reverse
from django.utils.http import urlencode

from articles import permissions as article_permissions
from comments.permissions import may_see_comments
from comments.staff_replies import pending_count, pending_queue_url

BOX_LIMIT = 8


@dataclass
class Row:
    title: str
    url: str
    when: datetime | None = None


@dataclass
class Box:
    key: str
    title: str
    more_url: str
    more_label: str
    empty: str
    when_label: str = ""
    rows: list[Row] = field(default_factory=list)
    count: int | None = None


def changelist_url(model_label, **filters):
    app_label, model_name = model_label.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _article_rows(queryset, when_field, link_to_admin=True):
    rows = []
    for article in queryset.only("pk", "title", "slug", when_field)[:BOX_LIMIT]:
        url = (
            reverse("admin:articles_article_change", args=[article.pk])
            if link_to_admin
            else article.get_absolute_url()
        )
        rows.append(Row(article.title, url, getattr(article, when_field)))
    return rows


def _article_box(key, title, queryset, when_field, *, more_url, link_to_admin=True, **labels):
    """A box listing `queryset`'s first articles, each with its `when_field` date; `labels` are
    the Box's `when_label`, `more_label` and `empty`."""
    return Box(
        key=key,
        title=title,
        rows=_article_rows(queryset, when_field, link_to_admin=link_to_admin),
        more_url=more_url,
        **labels,
    )


def _state_box(state, title, queryset, when_field, **labels):
    """A box of articles in one state; `state` is also the article list's StateFilter value."""
    return _article_box(
        state,
        title,
        queryset,
        when_field,
        more_url=changelist_url("articles.article", state=state),
        **labels,
    )


def boxes_for(user):
    """The dashboard boxes `user` may see, in the order they are shown."""
    Article = apps.get_model("articles", "Article")
    boxes = []
    if may_see_comments(user):
        boxes.append(
            Box(
                key="moderation",
                title="Comments awaiting moderation",
                count=pending_count(),
                more_url=pending_queue_url(),
                more_label="Open the moderation queue",
                empty="",
            )
        )
    is_editor = article_permissions.can_publish(user)
    if is_editor:
        boxes += [
            _state_box(
                "in_review",
                "Articles in review",
                Article.objects.in_review().order_by("updated_at"),
                "updated_at",
                when_label="Updated",
                more_label="All articles in review",
                empty="Nothing is waiting for an editor.",
            ),
            _state_box(
                "scheduled",
                "Scheduled",
                Article.objects.scheduled().order_by("published_at"),
                "published_at",
                when_label="Goes live",
                more_label="All scheduled articles",
                empty="Nothing is scheduled.",
            ),
        ]
    if article_permissions.can_view_articles(user):
        boxes.append(
            _article_box(
                "published",
                "Recently published",
                Article.objects.published().order_by("-published_at", "-pk"),
                "published_at",
                link_to_admin=is_editor,
                more_url=(
                    changelist_url("articles.article", state="live")
                    if is_editor
                    else reverse("articles:list")
                ),
                more_label="All published articles" if is_editor else "The site's front page",
                empty="Nothing has been published yet.",
                when_label="Published",
            )
        )
    if article_permissions.can_write_articles(user):
        boxes.append(
            _article_box(
                "my_drafts",
                "My drafts",
                Article.objects.drafts().filter(created_by=user).order_by("-updated_at"),
                "updated_at",
                more_url=changelist_url("articles.article", state="draft", created_by=user.pk),
                more_label="All my drafts",
                empty="You have no drafts.",
                when_label="Updated",
            )
        )
    return boxes


def dashboard_for(user):
    profile = apps.get_model("authors", "Author").profile_of(user)
    return {
        "boxes": boxes_for(user),
        "author_profile_url": (
            reverse("admin:authors_author_change", args=[profile.pk]) if profile else None
        ),
    }

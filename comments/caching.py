"""The comments app and the page cache (caching/dependencies.py).

What the comment section shows (`shows_comment_section`): the article's shown comments
(`comments-<article id>`) and the discussion settings; the page is right only until the
article's comments close. And when that changes (the receivers, connected in apps.py): a
comment becoming, or ceasing to be, approved (arriving approved, approved, removed, marked as
spam, withdrawn, erased, deleted), a shown comment edited, or the discussion settings saved.
A comment that arrives held changes no page, and neither does a decision on one that was never
shown… except that the receiver cannot tell a held comment marked as spam from a shown one, so
any change of status drops its article's pages: never another article's.
"""

import datetime

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from caching.dependencies import DISCUSSION, changed, comments_key, depends_on, expires_at

from .models import Comment, DiscussionSettings


def comments_close_at(article, rules):
    """When readers can no longer post on `article` (None: not by the passing of time)."""
    if not article.comments_open or article.published_at is None:
        return None
    days = article.comments_close_after_days
    if days is None:
        days = rules.close_after_days
    if days is None:
        return None
    return article.published_at + datetime.timedelta(days=days)


def shows_comment_section(request, article, rules):
    depends_on(request, comments_key(article.pk), DISCUSSION)
    expires_at(request, comments_close_at(article, rules))


def shown_comments_changed(*article_ids):
    changed(*(comments_key(article_id) for article_id in article_ids))


@receiver(post_save, sender=Comment, dispatch_uid="page_cache_comment_saved")
def comment_saved(sender, instance, created, update_fields=None, **kwargs):
    status_moved = not created and (update_fields is None or "status" in update_fields)
    if instance.status == Comment.Status.APPROVED or status_moved:
        shown_comments_changed(instance.article_id)


@receiver(post_delete, sender=Comment, dispatch_uid="page_cache_comment_deleted")
def comment_deleted(sender, instance, **kwargs):
    if instance.status == Comment.Status.APPROVED:
        shown_comments_changed(instance.article_id)


@receiver(post_save, sender=DiscussionSettings, dispatch_uid="page_cache_discussion_saved")
def discussion_settings_saved(sender, **kwargs):
    changed(DISCUSSION)

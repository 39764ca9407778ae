"""When what the articles app's pages show changes, for the page cache (caching/).

Receivers, connected in apps.py, call `changed()` with the keys of exactly the pages to drop
(page_dependencies.py says which page shows what):

- an article saved: its own key (its page, and every list, feed and page showing it); when it
  went live, left the site or moved in the order (publish time, kind), also who lists it: every
  list of all articles (`LIST`), its tags', kind's and authors' lists, and the pager of the
  articles before and after it (their previous/next links), where it was and where it is;
  scheduling, moving or unscheduling it drops the pages whose lifetime ended at the old
  schedule (`SCHEDULE`);
- a live article's tags or authors changed: the article and the lists it joins or leaves;
- a tag or kind edited: the pages naming it; deleted: its list too.
"""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from authors.models import Author
from caching.dependencies import (
    LIST,
    SCHEDULE,
    SITEMAP,
    changed,
    listing_key,
    model_key,
    model_listing_key,
    object_key,
)

from .models import Article, Byline, Kind, Tag, TaggedArticle
from .page_dependencies import pager_key


def _neighbours(article):
    """The pager keys of the live articles just before and after `article`'s place in the
    order: their previous/next links change when it comes or goes."""
    if article.published_at is None:
        return set()
    live = Article.objects.published()
    ids = [
        live.before(article).values_list("pk", flat=True).first(),
        live.after(article).values_list("pk", flat=True).first(),
    ]
    return {pager_key(pk) for pk in ids if pk is not None}


def _lists_of(article, kind_id):
    """Keys of every list `article` is in: all articles, its kind's, tags' and authors'."""
    tag_ids = TaggedArticle.objects.filter(content_object=article.pk).values_list("tag", flat=True)
    author_ids = Byline.objects.filter(article=article.pk).values_list("author", flat=True)
    keys = {LIST, SITEMAP}
    keys.update(model_listing_key(Tag, pk) for pk in tag_ids)
    keys.update(model_listing_key(Author, pk) for pk in author_ids)
    if kind_id:
        keys.add(model_listing_key(Kind, kind_id))
    return keys


def _place(article):
    return (article.status, article.published_at, article.kind_id)


@receiver(pre_save, sender=Article, dispatch_uid="page_cache_article_before")
def remember_article_before(sender, instance, raw=False, **kwargs):
    instance._stored_before_save = None
    if raw or instance.pk is None or instance._state.adding:
        return
    instance._stored_before_save = (
        Article._base_manager.filter(pk=instance.pk)
        .only("pk", "status", "published_at", "kind_id")
        .first()
    )


@receiver(post_save, sender=Article, dispatch_uid="page_cache_article_saved")
def article_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop("_stored_before_save", None)
    keys = {object_key(instance)}
    if before is None or _place(before) != _place(instance):
        was_live = before is not None and before.is_published()
        if was_live or instance.is_published():
            keys |= _lists_of(instance, instance.kind_id) | _neighbours(instance)
            if before is not None:
                keys |= _neighbours(before)
                if before.kind_id:
                    keys.add(model_listing_key(Kind, before.kind_id))
        if (before is not None and before.is_scheduled()) or instance.is_scheduled():
            keys.add(SCHEDULE)
    elif instance.is_published():
        keys.add(SITEMAP)  # its lastmod
    changed(*keys)


@receiver(pre_delete, sender=Article, dispatch_uid="page_cache_article_deleting")
def remember_article_lists(sender, instance, **kwargs):
    keys = {object_key(instance)}
    if instance.is_published():
        keys |= _lists_of(instance, instance.kind_id) | _neighbours(instance)
    if instance.is_scheduled():
        keys.add(SCHEDULE)
    instance._lists_before_delete = keys


@receiver(post_delete, sender=Article, dispatch_uid="page_cache_article_deleted")
def article_deleted(sender, instance, **kwargs):
    changed(*instance.__dict__.pop("_lists_before_delete", {object_key(instance)}))


def _live(article_id):
    return Article.objects.published().filter(pk=article_id).exists()


@receiver(post_save, sender=TaggedArticle, dispatch_uid="page_cache_tagged")
@receiver(post_delete, sender=TaggedArticle, dispatch_uid="page_cache_untagged")
def article_tags_changed(sender, instance, raw=False, **kwargs):
    if not raw and _live(instance.content_object_id):
        changed(
            model_key(Article, instance.content_object_id),
            model_listing_key(Tag, instance.tag_id),
            SITEMAP,
        )


@receiver(post_save, sender=Byline, dispatch_uid="page_cache_byline_saved")
@receiver(post_delete, sender=Byline, dispatch_uid="page_cache_byline_deleted")
def article_authors_changed(sender, instance, raw=False, **kwargs):
    if not raw and _live(instance.article_id):
        changed(
            model_key(Article, instance.article_id),
            model_listing_key(Author, instance.author_id),
            SITEMAP,
        )


@receiver(post_save, sender=Tag, dispatch_uid="page_cache_tag_saved")
@receiver(post_save, sender=Kind, dispatch_uid="page_cache_kind_saved")
def listing_edited(sender, instance, raw=False, **kwargs):
    if not raw:
        changed(object_key(instance), SITEMAP)


@receiver(post_delete, sender=Tag, dispatch_uid="page_cache_tag_deleted")
@receiver(post_delete, sender=Kind, dispatch_uid="page_cache_kind_deleted")
def listing_deleted(sender, instance, **kwargs):
    changed(object_key(instance), listing_key(instance), SITEMAP)

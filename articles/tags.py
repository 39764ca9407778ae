"""Tag housekeeping for editors: suggesting existing tags and merging duplicates.

Suggestions are made for one member of staff: they offer only the tags that person may know of
(`Tag.objects.visible_to`), ranked by the articles they may know of, so a contributor is never
shown the topics of someone else's unpublished article.

Merging is the rule that spans tags and articles: every article carrying one of the merged
tags ends up carrying the target tag exactly once (`tagged_article_unique` allows no second
link), and the merged tags are deleted. It runs in one transaction, so a failure leaves every
tag and link as it was. The admin's "Merge selected tags" action calls `merge_tags`.
"""

from dataclasses import dataclass

from django.db import transaction

from caching.dependencies import changed, listing_key

from .models import Tag, TaggedArticle


def popular_tags(user, limit):
    """The tags `user` may know of, most used first, for suggestions before anything is typed."""
    return list(
        Tag.objects.visible_to(user)
        .with_article_total(user)
        .order_by("-article_total", "name")
        .values_list("name", flat=True)[:limit]
    )


def matching_tags(user, term, limit=20):
    """Names of the tags `user` may know of containing `term` (any case), those starting with
    it first."""
    term = term.strip()
    if not term:
        return []
    names = (
        Tag.objects.visible_to(user)
        .filter(name__icontains=term)
        .order_by("name")
        .values_list("name", flat=True)
    )
    names = list(names[: limit * 5])
    folded = term.casefold()
    names.sort(key=lambda name: not name.casefold().startswith(folded))
    return names[:limit]


@dataclass(frozen=True)
class MergeResult:
    target: Tag
    created: bool
    merged_names: list
    moved_links: int
    dropped_duplicates: int


def merge_tags(tags, target_name):
    """Merge `tags` into the tag named `target_name` (any case), created if it doesn't exist.

    The target may be one of `tags`; it is kept. An article carrying several of the tags
    keeps one link, re-pointed to the target; links that would repeat one are deleted.
    """
    target_name = target_name.strip()
    if not target_name:
        raise ValueError("A merge needs the name of the tag to keep.")
    with transaction.atomic():
        target = Tag.objects.select_for_update().filter(name__iexact=target_name).first()
        created = target is None
        if created:
            target = Tag.objects.create(name=target_name)
        sources = list(
            Tag.objects.select_for_update()
            .filter(pk__in=[tag.pk for tag in tags])
            .exclude(pk=target.pk)
            .order_by("name")
        )
        tagged = set(
            TaggedArticle.objects.filter(tag=target).values_list("content_object_id", flat=True)
        )
        move, duplicates = [], []
        links = (
            TaggedArticle.objects.filter(tag__in=sources)
            .order_by("pk")
            .values_list("pk", "content_object_id")
        )
        for link_pk, article_pk in links:
            if article_pk in tagged:
                duplicates.append(link_pk)
            else:
                tagged.add(article_pk)
                move.append(link_pk)
        TaggedArticle.objects.filter(pk__in=duplicates).delete()
        TaggedArticle.objects.filter(pk__in=move).update(tag=target)
        # The links moved without a signal: the target lists more articles (the pages naming
        # the merged tags are dropped as those are deleted, below).
        changed(listing_key(target))
        Tag.objects.filter(pk__in=[source.pk for source in sources]).delete()
    return MergeResult(
        target=target,
        created=created,
        merged_names=[source.name for source in sources],
        moved_links=len(move),
        dropped_duplicates=len(duplicates),
    )

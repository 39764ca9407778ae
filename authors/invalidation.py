"""When what an author's page and author boxes show changes, for the page cache (caching/).

Editing an author, or one of their degrees, drops the pages showing them: their page, the
articles they signed (author box, byline) and the lists and feeds naming them. Connected in
apps.py.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from caching.dependencies import SITEMAP, changed, model_key, object_key

from .models import Author, Education


@receiver(post_save, sender=Author, dispatch_uid="page_cache_author_saved")
@receiver(post_delete, sender=Author, dispatch_uid="page_cache_author_deleted")
def author_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        changed(object_key(instance), SITEMAP)


@receiver(post_save, sender=Education, dispatch_uid="page_cache_education_saved")
@receiver(post_delete, sender=Education, dispatch_uid="page_cache_education_deleted")
def education_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        changed(model_key(Author, instance.author_id))

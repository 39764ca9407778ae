"""Review links: a signed, expiring address showing an unpublished article to an outside reviewer.

Nothing is stored. The link carries the article's id and its publish time as it was when the
link was made, signed with `SECRET_KEY` (django.core.signing, under this module's own salt);
the signature's timestamp gives the expiry. Only editors make links (ArticleAdmin checks
`permissions.can_publish`), and only for articles that are not published or scheduled.

A link ends, and shows "not found", when:

- it is older than `settings.REVIEW_LINK_MAX_AGE_DAYS`, or anyone altered it;
- the article was deleted;
- the article is scheduled, or its publish time is no longer the one the link was made with.
  Publishing sets the publish time and taking an article back to draft keeps it, so a link
  made for a draft does not come back to life when a published article is unpublished.

Once the article is live the link is over too, but readers may see the article now, so the
view sends the visitor to the live page rather than to a dead end. Changing `SECRET_KEY` ends
every link.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from .links import absolute_url
from .models import Article

SALT = "articles.share-link"


class InvalidShareLink(Exception):
    """The link was altered, has expired, or its article is gone or has moved on."""


def max_age():
    return datetime.timedelta(days=settings.REVIEW_LINK_MAX_AGE_DAYS)


def can_share(article):
    """Only articles readers cannot see yet, and that no editor has scheduled, are shared."""
    return article.status != Article.Status.PUBLISHED


def _publish_stamp(article):
    return article.published_at.isoformat() if article.published_at else None


def share_path(article):
    """The share link's path for `article`; valid for `max_age()` from now."""
    token = signing.dumps([article.pk, _publish_stamp(article)], salt=SALT)
    return reverse("articles:shared", kwargs={"token": token})


def share_url(article):
    """The share link to hand to a reviewer: on the public site (`SITE_URL`), whatever address
    the editor reached the admin on."""
    return absolute_url(share_path(article))


def expires_at():
    """When a link made now stops working."""
    return timezone.now() + max_age()


def article_for_token(token, queryset=None):
    """The article a share link shows, or `InvalidShareLink`.

    A live article is returned as it is: the caller sends the visitor to its public page.
    """
    try:
        pk, publish_stamp = signing.loads(token, salt=SALT, max_age=max_age())
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise InvalidShareLink(str(error)) from error
    queryset = Article.objects.all() if queryset is None else queryset
    article = queryset.filter(pk=pk).first()
    if article is None:
        raise InvalidShareLink("The article no longer exists.")
    if article.is_published():
        return article
    if not can_share(article) or _publish_stamp(article) != publish_stamp:
        raise InvalidShareLink("The article was scheduled or published since the link was made.")
    return article

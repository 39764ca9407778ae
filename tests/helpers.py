"""Small helpers the tests of every app share."""

import datetime

from django.utils import timezone


def days_ago(days, hours=0):
    """The moment `days` (and `hours`) before now."""
    return timezone.now() - datetime.timedelta(days=days, hours=hours)


def titles(response):
    """The titles of the articles a list page shows, in order."""
    return [article.title for article in response.context["object_list"]]

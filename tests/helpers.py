"""Small helpers the tests of every app share."""

import datetime
import html
import re

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from caching import dependencies


def days_ago(days, hours=0):
    """The moment `days` (and `hours`) before now."""
    return timezone.now() - datetime.timedelta(days=days, hours=hours)


def without_page_cache(callbacks):
    """On-commit callbacks but the page cache's (caching.dependencies.commit_changes), which
    every save of something a page shows adds."""
    return [
        callback
        for callback in callbacks
        if getattr(callback, "func", None) is not dependencies.commit_changes
    ]


def titles(response):
    """The titles of the articles a list page shows, in order."""
    return [article.title for article in response.context["object_list"]]


def page_link(response, rel):
    """The address of a list page's "Older" (`rel="next"`) or "Newer" (`rel="prev"`) link, or
    None when the page has none."""
    match = re.search(rf'<a rel="{rel}" href="([^"]*)"', response.content.decode())
    return html.unescape(match[1]) if match else None


def older_page(client, response):
    """The page a list page's "Older" link leads to."""
    return client.get(page_link(response, "next"))


def _migration(executor, app_label, name_ending):
    return next(
        key
        for key in executor.loader.disk_migrations
        if key[0] == app_label and key[1].endswith(name_ending)
    )


def _migrated(executor, target):
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def migrated_to_just_before(app_label, name_ending):
    """Migrate the test database back to just before `app_label`'s migration whose name ends in
    `name_ending`; the app registry as it was then."""
    executor = MigrationExecutor(connection)
    migration = _migration(executor, app_label, name_ending)
    before = next(
        dependency
        for dependency in executor.loader.disk_migrations[migration].dependencies
        if dependency[0] == app_label
    )
    return _migrated(executor, before)


def migrated_to(app_label, name_ending):
    """Migrate the test database to `app_label`'s migration whose name ends in `name_ending`
    (and no further); the app registry as it is then."""
    executor = MigrationExecutor(connection)
    return _migrated(executor, _migration(executor, app_label, name_ending))


def migrated_to_the_latest():
    """Migrate the test database forward through every migration."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

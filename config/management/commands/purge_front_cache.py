"""`manage.py purge_front_cache`: every front cache drops every page, as after a release.

Byline's own page cache starts afresh by itself when a release changes code, templates or
static files (config/page_cache.py); a front cache (Varnish) cannot know, so a deploy runs
this once the new release serves (README, "Upgrading").
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.front_cache import purge_everything


class Command(BaseCommand):
    help = "Ask every front cache in FRONT_CACHE_PURGE_URLS to drop every page."

    def handle(self, *args, **options):
        urls = settings.FRONT_CACHE_PURGE_URLS
        if not urls:
            self.stdout.write("FRONT_CACHE_PURGE_URLS is empty: no front cache to purge.")
            return
        failed = purge_everything(urls)
        for url in urls:
            if url not in failed:
                self.stdout.write(f"{url}: every page dropped.")
        if failed:
            raise CommandError(f"Not confirmed by {', '.join(failed)}: run it again.")

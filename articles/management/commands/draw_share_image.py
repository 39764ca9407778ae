"""`manage.py draw_share_image`: redraws the default link-preview card (articles/share_image.py).

By default it draws `SITE_NAME` and `SITE_TAGLINE` over the committed
static/articles/share-image.png; run collectstatic afterwards, as for any static file. With
`--output` it writes elsewhere, e.g. into a directory of your own static files, to be named
by `SITE_SHARE_IMAGE`.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from ... import share_image


class Command(BaseCommand):
    help = "Draw the site's default link-preview image (1200×630 PNG) with its name and tagline."

    def add_arguments(self, parser):
        parser.add_argument("--name", default=None, help="the name drawn (default: SITE_NAME)")
        parser.add_argument(
            "--tagline", default=None, help="the line under it (default: SITE_TAGLINE)"
        )
        parser.add_argument(
            "--output",
            default=str(share_image.FILE),
            help="where to write the PNG (default: static/articles/share-image.png)",
        )

    def handle(self, *args, name=None, tagline=None, output=None, **options):
        name = settings.SITE_NAME if name is None else name
        tagline = settings.SITE_TAGLINE if tagline is None else tagline
        share_image.save(share_image.draw(name, tagline), output, name)
        self.stdout.write(f"Drew the share image for {name!r} in {output}.")

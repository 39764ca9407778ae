"""System checks for the site's share image (`SITE_SHARE_IMAGE`, articles/social.py).

A static path that names no static file leaves previews of articles without a featured image,
and of every other page, with no picture; the default card (articles/share_image.py) showing
another name than `SITE_NAME` shows readers the wrong publication. Both are warnings: the site
works, its link previews do not look right.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.checks import Warning, register

from . import share_image

SHARE_IMAGE_NOT_FOUND = "articles.W001"
SHARE_IMAGE_NAMES_ANOTHER_SITE = "articles.W002"


@register()
def check_share_image(app_configs=None, **kwargs):
    value = settings.SITE_SHARE_IMAGE
    if not value or urlsplit(value).scheme or value.startswith("//"):
        return []
    found = finders.find(value)
    if not found:
        return [
            Warning(
                f"SITE_SHARE_IMAGE names {value!r}, which is not one of the static files: "
                "link previews without a featured image show no picture.",
                hint="Give an absolute URL (https://…) or a path under a static files "
                "directory, as {% static %} takes it (e.g. images/share.png).",
                id=SHARE_IMAGE_NOT_FOUND,
            )
        ]
    if value == share_image.STATIC_PATH:
        drawn = share_image.name_drawn(found)
        if drawn is not None and drawn != settings.SITE_NAME:
            return [
                Warning(
                    f"The default share image shows the name {drawn!r}, not SITE_NAME "
                    f"({settings.SITE_NAME!r}).",
                    hint="Redraw it with `manage.py draw_share_image` (then collectstatic), "
                    "or set SITE_SHARE_IMAGE to an image of your own.",
                    id=SHARE_IMAGE_NAMES_ANOTHER_SITE,
                )
            ]
    return []

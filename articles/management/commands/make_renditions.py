"""Queue the responsive renditions of images stored before renditions existed (or lost since).

New uploads get their renditions queued automatically (images/); this command is for
images already in the media folder: after an upgrade, a restore from backup, or a change to
`RENDITION_WIDTHS`. Run the background worker (`manage.py db_worker`) to make them, or pass
`--now` to make them in this process.
"""

from django.apps import apps
from django.core.management.base import BaseCommand

from images.fields import ResponsiveImageField
from images.renditions import make_renditions, renditions_field_name


def image_fields():
    """(model, field name) for every ResponsiveImageField in the project."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, ResponsiveImageField):
                yield model, field.name


class Command(BaseCommand):
    help = "Queue renditions for stored images that have none (or all with --all)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="Remake renditions even where they exist."
        )
        parser.add_argument(
            "--now",
            action="store_true",
            help="Make the renditions in this process instead of queuing them for the worker.",
        )

    def handle(self, *args, all=False, now=False, **options):
        total = 0
        for model, field_name in image_fields():
            rows = model._default_manager.exclude(**{field_name: ""}).exclude(
                **{f"{field_name}__isnull": True}
            )
            if not all:
                rows = rows.filter(**{renditions_field_name(field_name): {}})
            for pk in rows.values_list("pk", flat=True).iterator():
                if now:
                    make_renditions.call(model._meta.label, pk, field_name)
                else:
                    make_renditions.enqueue(model._meta.label, pk, field_name)
                total += 1
            self.stdout.write(f"{model._meta.verbose_name_plural} ({field_name}): done")
        verb = "Made" if now else "Queued"
        self.stdout.write(self.style.SUCCESS(f"{verb} renditions for {total} image(s)."))

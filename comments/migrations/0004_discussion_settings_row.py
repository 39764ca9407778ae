from django.db import migrations

from config.roles import sync_roles


def create_settings_row(apps, schema_editor):
    """The one discussion-settings row, so that no reader's page load has to insert it."""
    DiscussionSettings = apps.get_model("comments", "DiscussionSettings")
    DiscussionSettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    """Create the discussion settings and let editors and moderators change them."""

    dependencies = [
        ("comments", "0003_discussion_rules"),
    ]

    operations = [
        migrations.RunPython(create_settings_row, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]

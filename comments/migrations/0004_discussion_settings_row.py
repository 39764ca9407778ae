from django.db import migrations


def create_settings_row(apps, schema_editor):
    """The one discussion-settings row, so that no reader's page load has to insert it."""
    DiscussionSettings = apps.get_model("comments", "DiscussionSettings")
    DiscussionSettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    """Create the discussion settings (every migrate syncs the roles that may change them)."""

    dependencies = [
        ("comments", "0003_discussion_rules"),
    ]

    operations = [
        migrations.RunPython(create_settings_row, migrations.RunPython.noop),
    ]

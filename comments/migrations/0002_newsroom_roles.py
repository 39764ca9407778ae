from django.db import migrations


class Migration(migrations.Migration):
    """Created the newsroom's staff groups. Every migrate now syncs them (config/apps.py), so
    this step is kept only for the migration history and does nothing."""

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("authors", "0001_initial"),
        ("articles", "0001_initial"),
        ("comments", "0001_initial"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]

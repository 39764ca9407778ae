from django.db import migrations

from config.roles import sync_roles


class Migration(migrations.Migration):
    """Create the Editor and Moderator staff groups (see config/roles.py)."""

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("authors", "0001_initial"),
        ("articles", "0001_initial"),
        ("comments", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]

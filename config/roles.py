"""Newsroom roles: the staff groups and exactly the permissions each one holds.

Every `migrate` ends with `sync_roles` (a post_migrate receiver, connected in config/apps.py), so
every database has the groups as defined here: permissions added by hand to a role group are
removed, except those in GRANTABLE_PERMISSIONS.
"""

from articles.permissions import PUBLISH_CODENAME

ARTICLE_WORK = [
    "add_article",
    "change_article",
    "view_article",
    "add_byline",
    "change_byline",
    "delete_byline",
    "view_byline",
    "view_kind",
    "view_tag",
]

ROLE_PERMISSIONS = {
    # Writes articles; the articles admin limits them to their own drafts and to submitting
    # for review (articles/permissions.py). No PUBLISH_CODENAME.
    "Contributor": {
        "articles": [*ARTICLE_WORK, "delete_article"],
        "authors": ["view_author"],
    },
    "Editor": {
        "articles": [*ARTICLE_WORK, "delete_article", PUBLISH_CODENAME,
                     "add_kind", "change_kind", "delete_kind",
                     "add_tag", "change_tag", "delete_tag",
                     "add_taggedarticle", "change_taggedarticle", "delete_taggedarticle",
                     "view_taggedarticle"],
        "authors": ["add_author", "change_author", "delete_author", "view_author"],
        "comments": ["view_discussionsettings", "change_discussionsettings"],
    },
    "Moderator": {
        "comments": ["view_comment", "change_comment",
                     "view_discussionsettings", "change_discussionsettings"],
    },
}  # fmt: skip

# Permissions a role does not hold by default but an administrator may grant its group (e.g.
# letting Editors, who answer readers' privacy requests, read comments and their addresses):
# syncing the roles leaves these as the administrator set them.
GRANTABLE_PERMISSIONS = {
    "comments": ["view_comment", "view_commenter_email"],
}


def sync_roles(apps, schema_editor=None):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Historical app configs (in a migration) have no models module, and create_permissions
        # skips those; the live registry's (browser tests sync roles with it) must keep theirs.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, app_permissions in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        permissions = []
        for app_label, codenames in app_permissions.items():
            found = list(
                Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )
            missing = set(codenames) - {permission.codename for permission in found}
            # Run from an early migration, models created by later ones do not exist yet:
            # their permissions are added when the migration creating them syncs again.
            models = {
                model._meta.model_name for model in apps.get_app_config(app_label).get_models()
            }
            missing = {name for name in missing if name.split("_", 1)[-1] in models}
            if missing:
                raise LookupError(f"Role {role} names unknown permissions: {sorted(missing)}")
            permissions += found
        for app_label, codenames in GRANTABLE_PERMISSIONS.items():
            permissions += group.permissions.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        group.permissions.set(permissions)


def sync_roles_after_migrate(sender, apps=None, **kwargs):
    """post_migrate receiver: the roles as defined above, over the models as migrated (`migrate`
    passes their registry; `flush`, run between browser tests, passes none: the live one)."""
    from django.apps import apps as live_apps

    sync_roles(apps or live_apps)

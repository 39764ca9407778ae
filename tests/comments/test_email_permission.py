"""Who sees a commenter's address in the admin: only staff with the dedicated permission."""

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.test import TestCase
from django.urls import reverse

from comments import permissions
from comments.permissions import may_see_addresses
from config.roles import sync_roles
from tests.factories import HeldCommentFactory, StaffFactory

ADDRESS = "permission.check@private-mail.example"


def permission(codename):
    return Permission.objects.get(content_type__app_label="comments", codename=codename)


class HiddenAddressTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.comment = HeldCommentFactory(email=ADDRESS, name="Private Person")
        cls.url = reverse("admin:comments_comment_change", args=[cls.comment.pk])

    def change_form(self, user):
        self.client.force_login(user)
        response = self.client.get(self.url)
        assert response.status_code == 200
        return response.content.decode()

    def test_no_role_holds_the_permission_by_default(self):
        for role in ("Contributor", "Editor", "Moderator"):
            user = StaffFactory(role=role)
            assert not may_see_addresses(user), role

    def test_each_role_is_answered_by_the_comments_permission_rules(self):
        expected = {
            # role: (may_see_comments, can_moderate, may_see_addresses, may_manage_personal_data)
            "Contributor": (False, False, False, False),
            "Editor": (False, False, False, False),
            "Moderator": (True, True, False, False),
        }
        rules = (
            permissions.may_see_comments,
            permissions.can_moderate,
            permissions.may_see_addresses,
            permissions.may_manage_personal_data,
        )
        for role, answers in expected.items():
            user = StaffFactory(role=role)
            assert tuple(rule(user) for rule in rules) == answers, role
        superuser = StaffFactory(is_superuser=True)
        assert all(rule(superuser) for rule in rules)
        superuser.is_active = False
        assert not any(rule(superuser) for rule in rules)
        assert not permissions.may_see_comments(None)
        assert not permissions.can_moderate(None)

    def test_a_moderator_sees_that_the_address_is_hidden(self):
        content = self.change_form(StaffFactory(role="Moderator"))

        assert "Private Person" in content
        assert ADDRESS not in content
        assert "permission.check" not in content
        assert '<div class="readonly">hidden</div>' in content

    def test_a_moderator_given_the_permission_sees_the_address_read_only(self):
        user = StaffFactory(role="Moderator")
        user.user_permissions.add(permission("view_commenter_email"))

        content = self.change_form(user)

        assert ADDRESS in content
        assert 'name="email"' not in content
        assert '<div class="readonly">hidden</div>' not in content

    def test_the_editor_role_can_be_granted_comments_and_their_addresses(self):
        editors = Group.objects.get(name="Editor")
        editors.permissions.add(permission("view_comment"), permission("view_commenter_email"))

        content = self.change_form(StaffFactory(role="Editor"))

        assert ADDRESS in content

    def test_syncing_the_roles_keeps_a_granted_address_permission_and_drops_other_extras(self):
        editors = Group.objects.get(name="Editor")
        moderators = Group.objects.get(name="Moderator")
        editors.permissions.add(permission("view_comment"), permission("view_commenter_email"))
        moderators.permissions.add(permission("view_commenter_email"), permission("delete_comment"))

        # sync_roles is written for a migration's app registry and resets models_module.
        modules = {config: config.models_module for config in global_apps.get_app_configs()}
        try:
            sync_roles(global_apps)
        finally:
            for config, module in modules.items():
                config.models_module = module

        editor_codenames = set(editors.permissions.values_list("codename", flat=True))
        moderator_codenames = set(moderators.permissions.values_list("codename", flat=True))
        assert {"view_comment", "view_commenter_email", "publish_article"} <= editor_codenames
        assert "view_commenter_email" in moderator_codenames
        assert "delete_comment" not in moderator_codenames
        assert not Group.objects.get(name="Contributor").permissions.filter(
            codename="view_commenter_email"
        )

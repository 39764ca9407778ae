"""A message the mail server refuses leaves no address behind (issue 10, production hardening).

Mail goes out from background tasks. When sending fails, django-tasks logs the task's
exception with its traceback (a JSON line in production), and the database task backend stores
that traceback in the task table, which its admin page shows. Django's own SMTP error for a
refused recipient holds the address (`SMTPRecipientsRefused({'reader@…': (550, …)})`), so
every task that mails raises instead an error naming only the row and the error's class.

These tests send through a real SMTP server that refuses every recipient, run the tasks as
`manage.py db_worker` does, and look for the address in every form
(tests.test_email_privacy.needles) in the JSON log lines, every row of the task table, and
the task pages of the admin.
"""

import json
import traceback
from smtplib import SMTPRecipientsRefused

from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comments.commenters import verification
from comments.mail import tasks
from comments.models import CommenterAddress
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    HeldCommentFactory,
    StaffFactory,
)
from tests.logs import json_log_lines
from tests.privacy import leaks, text_leaks
from tests.servers import RefusingSmtpServer
from tests.task_queue import DATABASE_TASKS, run_queued_tasks

READER = "Refused.Reader+news@private-mail.example"
REPLIER = "replier.kestrel@private-mail.example"
MODERATOR = "moderator.refused@newsroom-private.example"
AUTHOR = "author.refused@newsroom-private.example"
CO_AUTHOR = "co.author.refused@newsroom-private.example"
ADDRESSES = [READER, REPLIER, MODERATOR, AUTHOR, CO_AUTHOR]


def task_table_text():
    """Every value of every row of the task table."""
    return "\n".join(
        " | ".join(str(value) for value in row) for row in DBTaskResult.objects.values_list()
    )


class RefusedMailTestCase(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.smtp = RefusingSmtpServer().start()
        cls.addClassCleanup(cls.smtp.close)

    def setUp(self):
        sending_to_the_refusing_server = override_settings(
            TASKS=DATABASE_TASKS, **self.smtp.email_settings
        )
        sending_to_the_refusing_server.enable()
        self.addCleanup(sending_to_the_refusing_server.disable)
        self.smtp.refused.clear()

    def run_refused(self, task, *args):
        """Queue `task`, run it; return its failed row and the JSON lines logged meanwhile."""
        task.enqueue(*args)
        with json_log_lines() as lines:
            run_queued_tasks()
        [result] = DBTaskResult.objects.all()
        assert result.status == TaskResultStatus.FAILED
        return result, lines


class CommenterMailTests(RefusedMailTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.address = CommenterAddress.objects.create(email=READER, verified_at=timezone.now())
        CommenterAddress.objects.create(email=REPLIER, verified_at=timezone.now())
        article = ArticleFactory(title="Harbour talks")
        cls.comment = CommentFactory(
            article=article, name="Refused Reader", email=READER, notify_replies=True
        )
        cls.reply = CommentFactory(
            article=article, parent=cls.comment, name="Kestrel", email=REPLIER
        )

    def commenter_tasks(self):
        unconfirmed = CommenterAddress.objects.create(email=f"new.{READER}")
        return [
            (verification.send_confirmation, self.address.pk, self.address, READER),
            (tasks.send_notification_confirmation, unconfirmed.pk, unconfirmed, f"new.{READER}"),
            (tasks.notify_of_reply, self.reply.pk, self.address, READER),
            (tasks.notify_of_approval, self.comment.pk, self.address, READER),
        ]

    def test_a_refused_message_to_a_commenter_leaves_no_address_in_logs_or_the_task_table(self):
        for task, argument, row, recipient in self.commenter_tasks():
            with self.subTest(task=task.name):
                DBTaskResult.objects.all().delete()
                self.smtp.refused.clear()

                result, lines = self.run_refused(task, argument)

                assert self.smtp.refused == [recipient]  # the message really was refused
                assert result.exception_class_path == "comments.mail.delivery.MailNotSent"
                named = f"{row._meta.label} {row.pk}"
                assert f"MailNotSent: Mail for {named} not sent: SMTPRecipientsRefused (550)" in (
                    result.traceback
                )
                assert text_leaks(task_table_text(), [recipient]) == []
                [failure] = [json.loads(line) for line in lines if '"ERROR"' in line]
                assert failure["logger"] == "django_tasks"
                assert "SMTPRecipientsRefused (550)" in failure["exception"]
                assert text_leaks("\n".join(lines), [recipient]) == []

    def test_the_traceback_holds_no_chained_error(self):
        result, _lines = self.run_refused(verification.send_confirmation, self.address.pk)

        assert "During handling of the above exception" not in result.traceback
        assert "The above exception was the direct cause" not in result.traceback
        assert result.traceback.count("Traceback (most recent call last)") == 1

    def test_djangos_own_refusal_holds_the_address_the_tasks_keep_out(self):
        # The control: the error Django raises for the refusal names the address.
        with self.assertRaises(SMTPRecipientsRefused) as refused:
            send_mail("Subject", "Body", None, [READER])

        assert text_leaks("".join(traceback.format_exception(refused.exception)), [READER])


class StaffMailTests(RefusedMailTestCase):
    """Moderators' and authors' addresses are kept out of the logs and the task table too."""

    @classmethod
    def setUpTestData(cls):
        StaffFactory(username="refused-moderator", role="Moderator", email=MODERATOR)
        cls.authors = [
            StaffFactory(username="refused-author", role="Editor", email=AUTHOR),
            StaffFactory(username="refused-co-author", role="Editor", email=CO_AUTHOR),
        ]
        article = ArticleFactory(
            authors=[
                AuthorFactory(name="Refused Author", user=cls.authors[0]),
                AuthorFactory(name="Refused Co-author", user=cls.authors[1]),
            ]
        )
        cls.comment = CommentFactory(article=article, email=READER)
        HeldCommentFactory(article=article, email=REPLIER)

    def test_a_refused_notice_to_moderators_leaves_no_address_behind(self):
        result, lines = self.run_refused(tasks.notify_moderators)

        assert self.smtp.refused == [MODERATOR]
        assert "Mail for the moderators' notice not sent: SMTPRecipientsRefused (550)" in (
            result.traceback
        )
        assert text_leaks(task_table_text(), ADDRESSES) == []
        assert text_leaks("\n".join(lines), ADDRESSES) == []

    def test_a_refused_notice_to_authors_leaves_no_address_behind_and_tries_each(self):
        result, lines = self.run_refused(tasks.notify_authors, self.comment.pk)

        assert sorted(self.smtp.refused) == sorted([AUTHOR, CO_AUTHOR])
        for user in self.authors:
            assert f"Mail for auth.User {user.pk} not sent" in result.traceback
        assert text_leaks(task_table_text(), ADDRESSES) == []
        assert text_leaks("\n".join(lines), ADDRESSES) == []


class TaskAdminTests(RefusedMailTestCase):
    """The admin's task pages show a failed task's traceback and arguments only to staff who
    may see commenters' addresses."""

    @classmethod
    def setUpTestData(cls):
        cls.address = CommenterAddress.objects.create(email=READER)
        permissions = Permission.objects.filter(
            content_type__app_label="django_tasks_database", codename="view_dbtaskresult"
        )
        cls.operator = StaffFactory(username="operator")
        cls.operator.user_permissions.set(permissions)
        cls.moderator = StaffFactory(username="address-moderator")
        cls.moderator.user_permissions.set(
            [*permissions, Permission.objects.get(codename="view_commenter_email")]
        )

    def setUp(self):
        super().setUp()
        self.result, _lines = self.run_refused(verification.send_confirmation, self.address.pk)
        self.pages = [
            reverse("admin:django_tasks_database_dbtaskresult_changelist"),
            reverse("admin:django_tasks_database_dbtaskresult_change", args=[self.result.pk]),
        ]

    def test_staff_without_the_address_permission_see_the_failure_but_not_its_traceback(self):
        self.client.force_login(self.operator)

        for url in self.pages:
            response = self.client.get(url)

            assert response.status_code == 200
            assert leaks(response, [READER]) == []
            page = response.content.decode()
            assert "send_confirmation" in page
            assert "Traceback" not in page
            assert "args_kwargs" not in page and "Args kwargs" not in page
        change_page = self.client.get(self.pages[1]).content.decode()
        assert "comments.mail.delivery.MailNotSent" in change_page

    def test_staff_allowed_to_see_addresses_see_the_traceback_which_names_only_the_row(self):
        self.client.force_login(self.moderator)

        response = self.client.get(self.pages[1])

        page = response.content.decode()
        assert "Traceback" in page
        assert f"CommenterAddress {self.address.pk}" in page
        assert leaks(response, [READER]) == []

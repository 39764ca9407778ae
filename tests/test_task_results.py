"""The task table keeps a failed task's traceback as a log line would: masked
(config/task_results.py). The admin's task pages are tested with a real failed mail in
tests/comments/test_mail_failures.py."""

from django.test import TestCase, override_settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from tests.task_queue import DATABASE_TASKS, run_queued_tasks

ADDRESS = "stored.reader@private-mail.example"
DETAIL = "Key (body)=(Words of a private comment\n\nspanning lines) already exists."


@task()
def fail_with_a_database_error():
    raise ValueError(f'duplicate key value violates unique constraint "x"\nDETAIL:  {DETAIL}')


@task()
def fail_naming_an_address():
    raise ValueError(f"could not write to {ADDRESS}")


@override_settings(TASKS=DATABASE_TASKS)
class StoredTracebackTests(TestCase):
    def run_failing(self, failing_task):
        failing_task.enqueue()
        run_queued_tasks()
        [result] = DBTaskResult.objects.all()
        return result.traceback

    def test_an_address_in_a_failed_tasks_error_is_not_stored(self):
        traceback = self.run_failing(fail_naming_an_address)

        assert ADDRESS not in traceback
        assert "ValueError: could not write to <email>" in traceback

    def test_the_row_values_postgresql_quotes_are_not_stored(self):
        traceback = self.run_failing(fail_with_a_database_error)

        assert "private comment" not in traceback
        assert "spanning lines" not in traceback
        assert traceback.rstrip().endswith("DETAIL: <redacted>")
        assert 'violates unique constraint "x"' in traceback

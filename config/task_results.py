"""The task queue's admin page, which shows a failed task's traceback and arguments only to
staff allowed to see commenters' addresses.

django-tasks-db registers an admin page for its table of task results, showing every field to
anyone who may view the table. Tasks are written to keep addresses out of what it stores
(comments/mail/tasks.py takes ids, comments/mail/delivery.py names rows in its errors), but a
traceback is whatever an exception said, and the arguments are whatever a task was given: both are
shown only where `comments.permissions.may_see_addresses` allows. Everyone who may view the
table still sees the queue: each task's name, status, times, and the class of the error that ended
it.

Tracebacks are also stored as log lines are written (config/logs.py): email-shaped text and
PostgreSQL's DETAIL (row values) masked, whoever may later read the table.
"""

from django.db.models.signals import pre_save
from django.dispatch import receiver
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from comments.permissions import may_see_addresses

from .logs import redacted_traceback

#: Shown only to staff who may see addresses: what an exception said, what a task was given,
#: and what it returned.
WHAT_A_TASK_SAID = {"formatted_traceback", "args_kwargs", "return_value"}


class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (*DBTaskResultAdmin.list_display, "exception_class_path")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if may_see_addresses(request.user):
            return fields
        return [field for field in fields if field not in WHAT_A_TASK_SAID]


def register_task_results_admin(site):
    """Put `TaskResultAdmin` in place of django-tasks-db's own page, once autodiscovery has
    registered that."""
    if site.is_registered(DBTaskResult):
        site.unregister(DBTaskResult)
    site.register(DBTaskResult, TaskResultAdmin)


@receiver(pre_save, sender=DBTaskResult)
def store_tracebacks_redacted(sender, instance, **kwargs):
    if instance.traceback:
        instance.traceback = redacted_traceback(instance.traceback)

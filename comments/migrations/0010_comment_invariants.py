import django.core.validators
from django.db import migrations, models

import comments.models

# As this migration writes them (comments.models.CommentStatus, SETTINGS_ROW).
STATUSES = ["pending", "approved", "spam", "removed", "withdrawn"]
REMOVED = "removed"
SETTINGS_ROW = 1


def depth_from_parents(Comment, comment):
    """How many ancestors the comment has (each parent read in turn; a loop stops the count)."""
    depth, parent_id, seen = 0, comment.parent_id, {comment.pk}
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        depth += 1
        parent_id = Comment.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return depth


def clean_rows(apps, schema_editor):
    """Bring stored rows within the constraints added below, so that adding them cannot fail.

    Each change keeps what readers and moderators see: Byline never wrote such rows, but a
    shell or a restore could have.

    - A comment with a status outside the choices was shown nowhere and counted in no queue:
      it becomes removed, which is shown nowhere and counted in no queue either.
    - A comment that is its own parent was never shown (no thread reaches it): it becomes a
      comment without a parent. Its status still decides whether it shows.
    - A comment without a parent gets depth 0; a reply stored with depth 0 gets its depth from
      its parents.
    - Discussion-settings rows other than the one the site reads (pk 1) are deleted: nothing
      read them.
    """
    Comment = apps.get_model("comments", "Comment")
    DiscussionSettings = apps.get_model("comments", "DiscussionSettings")
    Comment.objects.exclude(status__in=STATUSES).update(status=REMOVED)
    Comment.objects.filter(parent=models.F("pk")).update(parent=None, depth=0)
    Comment.objects.filter(parent__isnull=True).exclude(depth=0).update(depth=0)
    for reply in Comment.objects.filter(parent__isnull=False, depth=0).order_by("pk"):
        Comment.objects.filter(pk=reply.pk).update(depth=depth_from_parents(Comment, reply))
    DiscussionSettings.objects.exclude(pk=SETTINGS_ROW).delete()


class Migration(migrations.Migration):
    """The invariants the database can hold (issue 11): a comment's status within its choices,
    no comment its own parent, depth 0 exactly for comments without a parent, and one
    discussion-settings row. The comment length's ceiling is read when a comment is validated
    (comments.models.comment_length_ceiling), so that no migration holds the setting's value.
    """

    dependencies = [
        ("comments", "0009_comment_avatar_key"),
    ]

    operations = [
        migrations.RunPython(clean_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="comment",
            name="body",
            field=models.TextField(
                validators=[
                    django.core.validators.MaxLengthValidator(
                        comments.models.comment_length_ceiling
                    )
                ]
            ),
        ),
        migrations.AddConstraint(
            model_name="comment",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", STATUSES)),
                name="comment_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="comment",
            constraint=models.CheckConstraint(
                condition=models.Q(("parent", models.F("pk")), _negated=True),
                name="comment_not_its_own_parent",
            ),
        ),
        migrations.AddConstraint(
            model_name="comment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("depth", 0), ("parent__isnull", True)),
                    models.Q(("depth__gte", 1), ("parent__isnull", False)),
                    _connector="OR",
                ),
                name="comment_depth_matches_parent",
            ),
        ),
        migrations.AddConstraint(
            model_name="discussionsettings",
            constraint=models.CheckConstraint(
                condition=models.Q(("pk", SETTINGS_ROW)),
                name="discussion_settings_single_row",
            ),
        ),
    ]

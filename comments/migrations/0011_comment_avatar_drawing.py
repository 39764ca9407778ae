from django.db import migrations, models

from comments.commenters.avatars import drawing

BATCH = 1000


def draw_stored_avatars(apps, schema_editor):
    """Store the drawing of each comment's avatar (avatars.drawing of its avatar_key), which the
    page used to compute on every request."""
    Comment = apps.get_model("comments", "Comment")
    comments = Comment.objects.only("pk", "avatar_key").order_by("pk")
    batch = []
    for comment in comments.iterator(chunk_size=BATCH):
        for field, drawn in drawing(comment.avatar_key).items():
            setattr(comment, field, drawn)
        batch.append(comment)
        if len(batch) == BATCH:
            Comment.objects.bulk_update(batch, ["avatar_colour", "avatar_path"])
            batch = []
    Comment.objects.bulk_update(batch, ["avatar_colour", "avatar_path"])


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0010_comment_invariants"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="avatar_colour",
            field=models.CharField(default="", editable=False, max_length=7),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="comment",
            name="avatar_path",
            field=models.CharField(default="", editable=False, max_length=83),
            preserve_default=False,
        ),
        migrations.RunPython(draw_stored_avatars, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="comment",
            constraint=models.CheckConstraint(
                condition=models.Q(("avatar_colour", ""), _negated=True)
                & models.Q(("avatar_path", ""), _negated=True),
                name="comment_avatar_drawn",
            ),
        ),
    ]

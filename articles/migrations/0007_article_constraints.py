"""The database holds two article invariants: a known status, and a publish time on every
published article. Rows that break them (written past `save()`, e.g. by `QuerySet.update`) are
mended first: an unknown status becomes draft, off the site for an editor to look at; a
published article without a publish time gets the time it was last saved."""

from django.db import migrations, models
from django.db.models import F

STATUSES = ["draft", "in_review", "published"]


def mend_rows_breaking_the_constraints(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    articles = Article.objects.using(schema_editor.connection.alias)
    articles.exclude(status__in=STATUSES).update(status="draft")
    articles.filter(status="published", published_at__isnull=True).update(
        published_at=F("updated_at")
    )


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0006_featured_image_help_text"),
    ]

    operations = [
        migrations.RunPython(mend_rows_breaking_the_constraints, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.CheckConstraint(
                condition=models.Q(status__in=STATUSES),
                name="article_status_known",
                violation_error_message="An article is a draft, in review or published.",
            ),
        ),
        migrations.AddConstraint(
            model_name="article",
            constraint=models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="article_published_has_published_at",
                violation_error_message="A published article needs a publish time.",
            ),
        ),
    ]

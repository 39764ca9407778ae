"""Full-text search: a weighted search vector on articles, and the word count for reading time.

On PostgreSQL this creates the `unaccent` extension, a `byline_english` text search
configuration (English stemming after accents are removed, so "economie" finds "économie"),
a function turning the stored body HTML into text, a trigger that fills `search_vector` on
every insert and update (title A, standfirst B, body C), and the GIN index. Other databases
get the columns only; search there falls back to plain matching (articles/search.py).
"""


import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models
from django.utils.html import strip_tags

CREATE_SQL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'byline_english') THEN
            CREATE TEXT SEARCH CONFIGURATION byline_english (COPY = english);
            ALTER TEXT SEARCH CONFIGURATION byline_english
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
        END IF;
    END
    $$
    """,
    # The body is sanitised HTML (articles/sanitize.py): drop the tags and decode the only
    # entities the sanitiser writes, so markup is never indexed or shown in a snippet.
    """
    CREATE OR REPLACE FUNCTION byline_html_text(html text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT replace(replace(replace(replace(
            regexp_replace(coalesce(html, ''), '<[^>]*>', ' ', 'g'),
            '&nbsp;', ' '), '&lt;', '<'), '&gt;', '>'), '&amp;', '&')
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('byline_english', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('byline_english', coalesce(NEW.standfirst, '')), 'B')
            || setweight(to_tsvector('byline_english', byline_html_text(NEW.body)), 'C');
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER articles_article_search_vector
    BEFORE INSERT OR UPDATE OF title, standfirst, body, search_vector ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_search_vector()
    """,
    "UPDATE articles_article SET search_vector = NULL",
    "CREATE INDEX article_search_vector ON articles_article USING gin (search_vector)",
]

DROP_SQL = [
    "DROP INDEX IF EXISTS article_search_vector",
    "DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article",
    "DROP FUNCTION IF EXISTS articles_article_search_vector()",
    "DROP FUNCTION IF EXISTS byline_html_text(text)",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS byline_english",
]


def _run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


def count_existing_words(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.only("pk", "body").iterator():
        words = len(strip_tags(article.body.replace("<", " <")).split())
        Article.objects.filter(pk=article.pk).update(word_count=words)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_slug_help_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="article",
            name="word_count",
            field=models.PositiveIntegerField(
                default=0, editable=False, help_text="Words of body text, counted when saved."
            ),
        ),
        migrations.RunPython(count_existing_words, migrations.RunPython.noop),
        # The GIN index is PostgreSQL's; the model declares it, the SQL above creates it.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="article",
                    index=django.contrib.postgres.indexes.GinIndex(
                        fields=["search_vector"], name="article_search_vector"
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(
                    _run_on_postgresql(CREATE_SQL), _run_on_postgresql(DROP_SQL)
                ),
            ],
        ),
    ]

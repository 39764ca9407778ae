"""The documented backup works: pg_dump, drop the database, restore it, the same site comes back.

This follows README's procedure on a database of its own (the test database's name plus
`_backup`): migrate it and publish an article with comments, `pg_dump --format=custom`, drop the
database, create it empty, `pg_restore --no-owner`; then the site, run in a subprocess against
the restored database with the same keys, serves the same article page and comments, and still
finds a commenter by address (the encrypted addresses and their digests came through).
"""

import json
import shutil
import subprocess
import tempfile
import textwrap
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.test import SimpleTestCase

from tests.comments.html import comment_tree, page_text
from tests.sites import run_site

ADDRESS = "kept.in.backup@mail.example"

PUBLISH = textwrap.dedent(
    """
    from django.core.management import call_command
    from tests.factories import ArticleFactory, CommentFactory, HeldCommentFactory
    call_command("migrate", verbosity=0, interactive=False)
    article = ArticleFactory(title="Ports after the strike", slug="ports-after-the-strike")
    first = CommentFactory(article=article, email=ADDRESS, body="The tonnage figures hold.")
    CommentFactory(article=article, parent=first, body="Only for the northern terminals.")
    HeldCommentFactory(article=article, body="Still waiting for a moderator.")
    """
)

RENDER = textwrap.dedent(
    """
    import json
    from django.test import Client
    from comments.models import Comment
    response = Client().get("/articles/ports-after-the-strike/")
    print(json.dumps({
        "status": response.status_code,
        "content": response.content.decode(),
        "by_address": Comment.objects.from_address(ADDRESS).count(),
        "comments": Comment.objects.count(),
    }))
    """
)


def database_url(name):
    settings_dict = connection.settings_dict
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgresql://{settings_dict['USER']}@{host}:{port}/{name}"


@pytest.mark.postgres
class BackupRestoreTests(SimpleTestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            pytest.skip("pg_dump and pg_restore back up PostgreSQL")
        for tool in ("pg_dump", "pg_restore"):
            if shutil.which(tool) is None:
                pytest.skip(f"{tool} not found (apt-get install postgresql-client)")
        self.name = f"{connection.settings_dict['NAME']}_backup"
        self.directory = Path(tempfile.mkdtemp(prefix="byline-test-backup-"))
        self.addCleanup(shutil.rmtree, self.directory, ignore_errors=True)
        self.addCleanup(self.drop)
        self.drop()
        self.create()

    def admin(self, statement):
        with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
            admin.execute(statement)

    def create(self):
        self.admin(f'CREATE DATABASE "{self.name}"')

    def drop(self):
        self.admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def site(self, code):
        result = run_site(f"ADDRESS = {ADDRESS!r}\n" + code, database_url(self.name), timeout=300)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def test_a_dropped_and_restored_database_serves_the_same_article_and_comments(self):
        self.site(PUBLISH)
        original = json.loads(self.site(RENDER).splitlines()[-1])
        dump = self.directory / "byline.dump"

        subprocess.run(
            ["pg_dump", "--format=custom", f"--file={dump}", database_url(self.name)],
            check=True,
            capture_output=True,
        )
        self.drop()
        self.create()
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", database_url(self.name)]
            + [str(dump)],
            check=True,
            capture_output=True,
        )
        restored = json.loads(self.site(RENDER).splitlines()[-1])

        assert original["status"] == restored["status"] == 200
        assert comment_tree(restored["content"]) == comment_tree(original["content"])
        assert page_text(restored["content"]) == page_text(original["content"])
        text = page_text(restored["content"])
        assert "Ports after the strike" in text
        assert "The tonnage figures hold." in text
        assert "Only for the northern terminals." in text
        assert "Still waiting for a moderator." not in text
        assert restored["by_address"] == original["by_address"] == 1
        assert restored["comments"] == original["comments"] == 3

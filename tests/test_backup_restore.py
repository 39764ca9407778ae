"""The documented backup works: pg_dump, restore into a new database, the same site comes back.

This follows README's procedure on the test database: `pg_dump --format=custom`, then
`pg_restore --no-owner` into a database created for it, then the site, run in a subprocess
against the restored copy with the same keys, serves the same article page and comments, and
still finds a commenter by address (the encrypted addresses and their digests came through).
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
from django.test import TransactionTestCase

from comments.models import Comment
from tests.comments.html import comment_tree, page_text
from tests.factories import ArticleFactory, CommentFactory, HeldCommentFactory
from tests.sites import run_site

ADDRESS = "kept.in.backup@mail.example"

RENDER = textwrap.dedent(
    """
    import json
    from django.test import Client
    from comments.models import Comment
    response = Client().get(PATH)
    print(json.dumps({
        "status": response.status_code,
        "content": response.content.decode(),
        "by_address": Comment.objects.from_address(ADDRESS).count(),
    }))
    """
)


def database_url(name):
    settings_dict = connection.settings_dict
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgresql://{settings_dict['USER']}@{host}:{port}/{name}"


@pytest.mark.postgres
class BackupRestoreTests(TransactionTestCase):
    serialized_rollback = True  # keep the rows the migrations created

    def setUp(self):
        if connection.vendor != "postgresql":
            pytest.skip("pg_dump and pg_restore back up PostgreSQL")
        for tool in ("pg_dump", "pg_restore"):
            if shutil.which(tool) is None:
                pytest.skip(f"{tool} not found (apt-get install postgresql-client)")
        self.source = connection.settings_dict["NAME"]
        self.restored = f"{self.source}_restored"
        self.directory = Path(tempfile.mkdtemp(prefix="byline-test-backup-"))
        self.addCleanup(shutil.rmtree, self.directory, ignore_errors=True)
        self.addCleanup(self.drop_restored)

    def admin(self):
        return psycopg.connect(database_url("postgres"), autocommit=True)

    def drop_restored(self):
        with self.admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.restored}" WITH (FORCE)')

    def render(self, name, path):
        code = f"PATH = {path!r}\nADDRESS = {ADDRESS!r}\n" + RENDER
        result = run_site(code, database_url(name))
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.splitlines()[-1])

    def test_a_restored_dump_serves_the_same_article_and_comments(self):
        article = ArticleFactory(title="Ports after the strike", slug="ports-after-the-strike")
        first = CommentFactory(article=article, email=ADDRESS, body="The tonnage figures hold.")
        CommentFactory(article=article, parent=first, body="Only for the northern terminals.")
        HeldCommentFactory(article=article, body="Still waiting for a moderator.")
        original = self.render(self.source, article.get_absolute_url())
        dump = self.directory / "byline.dump"

        subprocess.run(
            ["pg_dump", "--format=custom", f"--file={dump}", database_url(self.source)],
            check=True,
            capture_output=True,
        )
        self.drop_restored()
        with self.admin() as admin:
            admin.execute(f'CREATE DATABASE "{self.restored}"')
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", database_url(self.restored)]
            + [str(dump)],
            check=True,
            capture_output=True,
        )
        restored = self.render(self.restored, article.get_absolute_url())

        assert original["status"] == restored["status"] == 200
        assert comment_tree(restored["content"]) == comment_tree(original["content"])
        assert page_text(restored["content"]) == page_text(original["content"])
        text = page_text(restored["content"])
        assert "Ports after the strike" in text
        assert "The tonnage figures hold." in text
        assert "Only for the northern terminals." in text
        assert "Still waiting for a moderator." not in text
        assert restored["by_address"] == original["by_address"] == 1
        assert Comment.objects.count() == 3

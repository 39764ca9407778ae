"""A comment posting runs a fixed number of SQL statements, however many comments the article
and the address already hold (issue 13, target 4: posting under load).

Pinned from observation, each statement with its reason. The posting is not one request
transaction (views/posting.py): it reads, then `moderation.receive` stores in a transaction of
its own, shown here as SAVEPOINT/RELEASE because the test runs inside one.

Reads, whoever posts: the article; the discussion settings. Then the address, once
(`moderation.known_address`, which says in the same query whether it holds an approved
comment); an address Byline does not know yet also costs the "has it an approved comment"
question on its own. Then the transaction: the comment, and a new address (INSERT ... ON
CONFLICT DO NOTHING). The same form posted again is found by the unique submission key as the
comment is stored, not by a read before. After commit, a held comment queues the moderators'
notice unless one is already queued (a cache mark, no query).
"""

from django.test import TestCase, override_settings

from comments.models import Comment, CommenterAddress
from tests.comments.posting import post_url, prove_address, valid_data
from tests.factories import ArticleFactory, CommentFactory, HeldCommentFactory
from tests.task_queue import DATABASE_TASKS

ADDRESS = "ada.reader@mail.example"

#: article, settings, address (with its approved comments), savepoint, comment, release.
KNOWN_ADDRESS_POSTING_QUERIES = 6
#: The same, with "has the address an approved comment" asked apart (no address row to ask it
#: with) and the address recorded (INSERT ... ON CONFLICT DO NOTHING).
NEW_ADDRESS_POSTING_QUERIES = 8
#: A trusted commenter from the browser proving the address: the same as a known address, plus
#: the same-text-within-the-window check (for a proven browser only) and the authors' notice
#: queued after commit (a task row).
TRUSTED_POSTING_QUERIES = 8


@override_settings(TASKS=DATABASE_TASKS)
class PostingQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()

    def post(self, number, **fields):
        data = valid_data(**{"email": ADDRESS, "body": f"Point number {number}.", **fields})
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(post_url(self.article), data, REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 302, response.content.decode()[:500]

    def fill(self, count):
        """`count` comments already on the article, and as many under the address elsewhere."""
        for _ in range(count):
            CommentFactory(article=self.article)
            HeldCommentFactory(article=self.article)
            CommentFactory(email=ADDRESS)

    def test_a_known_address_posts_in_a_fixed_number_of_queries(self):
        for existing in (0, 25):
            with self.subTest(existing=existing):
                self.fill(existing)
                self.post(f"{existing}-first")  # records the address, queues the notice

                with self.assertNumQueries(KNOWN_ADDRESS_POSTING_QUERIES):
                    self.post(f"{existing}-second")

                assert Comment.objects.latest("pk").status == Comment.Status.PENDING

    def test_a_new_address_posts_in_a_fixed_number_of_queries(self):
        for existing in (0, 25):
            with self.subTest(existing=existing):
                self.fill(existing)
                self.post(f"{existing}-warm-up", email="warm.up@mail.example")
                CommenterAddress.objects.all().delete()

                with self.assertNumQueries(NEW_ADDRESS_POSTING_QUERIES):
                    self.post(f"{existing}-first")

                assert Comment.objects.latest("pk").status == Comment.Status.PENDING
                assert CommenterAddress.objects.count() == 1

    def test_a_trusted_commenter_posts_in_a_fixed_number_of_queries(self):
        for existing in (0, 25):
            with self.subTest(existing=existing):
                self.fill(existing)
                CommentFactory(email=ADDRESS)
                prove_address(self.client, ADDRESS)
                self.post(f"{existing}-first")

                with self.assertNumQueries(TRUSTED_POSTING_QUERIES):
                    self.post(f"{existing}-second")

                assert Comment.objects.latest("pk").status == Comment.Status.APPROVED

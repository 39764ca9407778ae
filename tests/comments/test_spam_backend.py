"""The external spam check, against a real HTTP server on this machine.

The server (http.server in a thread) answers like Akismet's comment-check: "true", "false",
or misbehaves (sleeps past the timeout, fails, talks nonsense). A comment is never lost: when
the service gives no clear answer in time, the comment is held with that reason.
"""

import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.test import TestCase, override_settings
from django.urls import reverse

from comments import spam
from comments.models import Comment, DiscussionSettings
from tests.comments.posting import valid_data
from tests.factories import ArticleFactory

ADDRESS = "spam.checked@private-mail.example"


class FakeSpamService(BaseHTTPRequestHandler):
    behaviour = "false"
    requests = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode()
        type(self).requests.append((self.path, self.headers.get("Content-Type"), body))
        if self.behaviour == "slow":
            time.sleep(5)
            answer, status = "false", 200
        elif self.behaviour == "error":
            answer, status = "Internal error", 500
        elif self.behaviour == "nonsense":
            answer, status = "invalid", 200
        else:
            answer, status = self.behaviour, 200
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(answer.encode())
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout case)

    def log_message(self, *args):
        pass


class SpamServiceTestCase(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSpamService)
        cls.server.daemon_threads = True
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        host, port = cls.server.server_address
        cls.service_url = f"http://{host}:{port}/1.1/comment-check"
        cls.enterClassContext(
            override_settings(
                COMMENT_SPAM_BACKEND="comments.spam.AkismetBackend",
                COMMENT_SPAM_API_KEY="test-key",
                COMMENT_SPAM_API_URL=cls.service_url,
                COMMENT_SPAM_SITE_URL="https://byline.example/",
                COMMENT_SPAM_TIMEOUT=0.5,
            )
        )

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        super().tearDownClass()

    @classmethod
    def setUpTestData(cls):
        cls.article = ArticleFactory()

    def setUp(self):
        FakeSpamService.requests = []
        FakeSpamService.behaviour = "false"
        row = DiscussionSettings.current()
        row.mode = DiscussionSettings.Mode.APPROVE_ALL
        row.spam_check_enabled = True
        row.save()

    def post(self, host="testserver", **overrides):
        data = valid_data(
            **{
                "email": ADDRESS,
                "website": "https://ada.example/",
                "body": "The figures in the third table do not add up.",
                **overrides,
            }
        )
        return self.client.post(
            reverse("comments:post", kwargs={"slug": self.article.slug}),
            data,
            REMOTE_ADDR="203.0.113.7",
            HTTP_USER_AGENT="TestBrowser/1.0",
            HTTP_REFERER="https://byline.example/articles/x/",
            HTTP_HOST=host,
        )


class SpamServiceAnswerTests(SpamServiceTestCase):
    def test_true_marks_the_comment_as_spam_with_the_reason(self):
        FakeSpamService.behaviour = "true"

        response = self.post()

        assert response.status_code == 302
        comment = Comment.objects.get()
        assert comment.status == Comment.Status.SPAM
        assert comment.held_reason == "spam: the spam service says so"
        assert comment.moderation_rule == "spam_service"

    def test_false_lets_the_other_rules_decide(self):
        self.post()

        comment = Comment.objects.get()
        assert comment.status == Comment.Status.APPROVED
        assert comment.moderation_rule == "approve_all"
        assert len(FakeSpamService.requests) == 1

    def test_the_request_carries_the_comment_but_never_the_address(self):
        self.post()

        [(path, content_type, body)] = FakeSpamService.requests
        fields = dict(urllib.parse.parse_qsl(body))
        assert path == "/1.1/comment-check"
        assert content_type.startswith("application/x-www-form-urlencoded")
        assert fields["api_key"] == "test-key"
        assert fields["blog"] == "https://byline.example/"
        assert fields["user_ip"] == "203.0.113.7"
        assert fields["user_agent"] == "TestBrowser/1.0"
        assert fields["referrer"] == "https://byline.example/articles/x/"
        assert fields["permalink"].endswith(self.article.get_absolute_url())
        assert fields["comment_type"] == "comment"
        assert fields["comment_author"] == "Ada Reader"
        assert fields["comment_author_url"] == "https://ada.example/"
        assert fields["comment_content"] == "The figures in the third table do not add up."
        assert "comment_author_email" not in fields
        assert "spam.checked" not in body.lower()
        assert "private-mail" not in body.lower()

    @override_settings(SITE_URL="https://news.example", ALLOWED_HOSTS=["internal.example"])
    def test_the_permalink_is_on_site_url_whatever_the_host(self):
        self.post(host="internal.example")

        [(_path, _content_type, body)] = FakeSpamService.requests
        fields = dict(urllib.parse.parse_qsl(body))
        assert fields["permalink"] == f"https://news.example{self.article.get_absolute_url()}"


class SpamServiceRepeatTests(SpamServiceTestCase):
    def test_the_same_form_posted_twice_is_sent_to_the_service_once(self):
        data = valid_data(email=ADDRESS)
        url = reverse("comments:post", kwargs={"slug": self.article.slug})

        first = self.client.post(url, data, REMOTE_ADDR="203.0.113.7")
        again = self.client.post(url, data, REMOTE_ADDR="203.0.113.7")

        assert first.status_code == again.status_code == 302
        assert Comment.objects.count() == 1
        assert len(FakeSpamService.requests) == 1


class SpamServiceFailureTests(SpamServiceTestCase):
    def assert_held_as_unavailable(self):
        comment = Comment.objects.get()
        assert comment.status == Comment.Status.PENDING
        assert comment.held_reason == "held: spam service unavailable"
        assert comment.moderation_rule == "spam_service_down"

    def test_a_slow_service_holds_the_comment_after_the_timeout(self):
        FakeSpamService.behaviour = "slow"

        started = time.monotonic()
        response = self.post()
        waited = time.monotonic() - started

        assert response.status_code == 302
        assert waited < 4  # the timeout (0.5 s), not the service's 5 s
        self.assert_held_as_unavailable()

    def test_a_failing_service_holds_the_comment(self):
        FakeSpamService.behaviour = "error"

        self.post()

        self.assert_held_as_unavailable()

    def test_an_unclear_answer_holds_the_comment(self):
        FakeSpamService.behaviour = "nonsense"

        self.post()

        self.assert_held_as_unavailable()

    def test_a_service_that_is_down_holds_the_comment(self):
        with override_settings(COMMENT_SPAM_API_URL="http://127.0.0.1:9/comment-check"):
            response = self.post()

        assert response.status_code == 302
        self.assert_held_as_unavailable()

    def test_other_holds_are_kept_beside_the_unavailable_service(self):
        FakeSpamService.behaviour = "error"
        row = DiscussionSettings.current()
        row.max_links = 0
        row.save()

        self.post(body="See https://a.example")

        comment = Comment.objects.get()
        assert comment.held_reason == "held: 1 links, limit 0; held: spam service unavailable"


class SpamServiceOffTests(SpamServiceTestCase):
    def test_nothing_is_sent_while_the_check_is_off_in_the_discussion_settings(self):
        row = DiscussionSettings.current()
        row.spam_check_enabled = False
        row.save()

        self.post()

        assert FakeSpamService.requests == []
        assert Comment.objects.get().status == Comment.Status.APPROVED

    def test_nothing_is_sent_without_a_configured_backend(self):
        with override_settings(COMMENT_SPAM_BACKEND=""):
            assert spam.get_backend() is None
            self.post()

        assert FakeSpamService.requests == []

    def test_a_comment_the_local_rules_call_spam_is_not_sent(self):
        self.post(subject="I am a bot")

        assert FakeSpamService.requests == []
        assert Comment.objects.get().moderation_rule == "honeypot"

    def test_the_check_is_off_for_a_new_site(self):
        assert DiscussionSettings._meta.get_field("spam_check_enabled").default is False

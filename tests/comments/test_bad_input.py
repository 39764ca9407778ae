"""The catalogue of bad submissions: each gets a clear message or status and stores nothing,
beyond what the rules deliberately record (spam, or a hold), and nothing is shown unescaped.

One table, one test: adding a case is adding a row.
"""

import datetime
from dataclasses import dataclass, field

import time_machine
from django.conf import settings
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from comments import moderation
from comments.models import Comment, DiscussionSettings
from tests.comments.html import field_errors, page_text, textarea_text
from tests.comments.posting import BODY, served_token, valid_data
from tests.factories import ArticleFactory, CommentFactory, HeldCommentFactory

SCRIPT = '<script>alert("x")</script>'
MAX = settings.COMMENT_MAX_LENGTH
WRONG_PARENT = (
    "The comment you are replying to is not available on this article. "
    "Your text is kept below: post it as a new comment or reload the page."
)
EXPIRED = "Your form expired, please post again: your text is kept below."
BAD_TOKEN = "We could not check this form, please post again: your text is kept below."
NOT_UTF8 = "Your browser sent characters we could not read (the text was not UTF-8)."


@dataclass
class Case:
    name: str
    data: dict = field(default_factory=dict)  # overrides of the valid form (None drops a field)
    status: int = 400
    field: str | None = None  # the field showing `message`; None: anywhere on the page
    message: str = ""
    article: str = "open"
    raw: bytes | None = None  # posted as is instead of `data`
    stored: str | None = None  # the status of the one comment the rules record, if any
    reason: str = ""
    keeps_text: bool = True


def catalogue(self):
    return [
        Case("missing name", {"name": None}, field="name", message="This field is required."),
        Case("blank name", {"name": "   "}, field="name", message="This field is required."),
        Case(
            "name too long",
            {"name": "N" * 101},
            field="name",
            message="Ensure this value has at most 100 characters (it has 101).",
        ),
        Case("missing email", {"email": None}, field="email", message="This field is required."),
        Case(
            "malformed email",
            {"email": "ada.reader-at-mail.example"},
            field="email",
            message="Enter a valid email address.",
        ),
        Case(
            "email too long",
            {"email": "a" * 250 + "@mail.example"},
            field="email",
            message="Ensure this value has at most 254 characters (it has 263).",
        ),
        Case("missing body", {"body": None}, field="body", message="This field is required."),
        Case(
            "whitespace-only body",
            {"body": "  \n\t  \r\n "},
            field="body",
            message="This field is required.",
            keeps_text=False,
        ),
        Case(
            "body too long",
            {"body": "x" * (MAX + 1)},
            field="body",
            message=f"Ensure this value has at most {MAX} characters (it has {MAX + 1}).",
        ),
        Case(
            "1 MB body",
            {"body": "y" * 1_000_000},
            field="body",
            message=f"Ensure this value has at most {MAX} characters (it has 1000000).",
        ),
        Case(
            "null character in the body",
            {"body": "before\x00after"},
            field="body",
            message="Null characters are not allowed.",
            keeps_text=False,
        ),
        Case(
            "javascript website",
            {"website": "javascript:alert(document.cookie)"},
            field="website",
            message="Enter a valid URL.",
        ),
        Case(
            "website not a URL",
            {"website": "my home page"},
            field="website",
            message="Enter a valid URL.",
        ),
        Case(
            "website too long",
            {"website": "https://ada.example/" + "p" * 300},
            field="website",
            message="Ensure this value has at most 300 characters (it has 320).",
        ),
        Case("parent on another article", {"parent": str(self.foreign.pk)}, message=WRONG_PARENT),
        Case("parent not approved", {"parent": str(self.pending.pk)}, message=WRONG_PARENT),
        Case("parent not a number", {"parent": "abc"}, message=WRONG_PARENT),
        Case("parent out of range", {"parent": "9" * 30}, message=WRONG_PARENT),
        Case("parent negative", {"parent": "-1"}, message=WRONG_PARENT),
        Case(
            "comments closed by hand",
            article="closed",
            message="Comments are closed on this article.",
        ),
        Case(
            "comments closed after N days",
            article="expired",
            message="Comments are closed on this article.",
        ),
        Case(
            "expired form",
            {"timestamp": served_token(seconds_ago=25 * 3600)},
            message=EXPIRED,
        ),
        Case("forged time token", {"timestamp": "1700000000.0"}, message=BAD_TOKEN),
        Case("missing time token", {"timestamp": None}, message=BAD_TOKEN),
        Case(
            "time token signed with another key",
            {"timestamp": served_token().replace(":", ":x", 1)},
            message=BAD_TOKEN,
        ),
        Case(
            "the same form posted again",
            {"body": self.resent.body, "timestamp": self.resent_token},
            status=302,
            keeps_text=False,
        ),
        Case(
            "non-UTF-8 bytes, percent-encoded",
            raw=self.encoded(body="Caf%E9 au lait"),
            message=NOT_UTF8,
            keeps_text=False,
        ),
        Case(
            "non-UTF-8 bytes, raw",
            raw=self.encoded(body="Caf") + b"\xe9\xff",
            message=NOT_UTF8,
            keeps_text=False,
        ),
        Case(
            "script in every field",
            {"name": SCRIPT, "email": SCRIPT, "website": SCRIPT, "body": SCRIPT},
            field="email",
            message="Enter a valid email address.",
        ),
        # What the rules record rather than refuse:
        Case(
            "too many links",
            {"body": "https://a.example https://b.example https://c.example"},
            status=302,
            stored=Comment.Status.PENDING,
            reason="held: 3 links, limit 2; held: first comment from this address",
        ),
        Case(
            "honeypot filled in",
            {"subject": "Buy now"},
            status=302,
            stored=Comment.Status.SPAM,
            reason="spam: filled in the field people cannot see",
        ),
        Case(
            "posted too fast",
            {"timestamp": lambda: served_token(seconds_ago=0.5)},
            status=302,
            stored=Comment.Status.SPAM,
            reason="spam: posted 0.5 s after the page loaded",
        ),
        Case(
            "script in every valid field",
            {"name": SCRIPT, "body": SCRIPT, "website": "https://ada.example/?q=<script>"},
            status=302,
            stored=Comment.Status.PENDING,
            reason="held: first comment from this address",
        ),
    ]


class BadInputCatalogueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        row = DiscussionSettings.current()
        row.max_links = 2
        # Every case posts from the same IP and address: the flood limits have their own tests.
        row.comments_per_ip_per_minute = 0
        row.comments_per_address_per_hour = 0
        row.save()
        cls.articles = {
            "open": ArticleFactory(),
            "closed": ArticleFactory(comments_open=False),
            "expired": ArticleFactory(
                published_at=timezone.now() - datetime.timedelta(days=10),
                comments_close_after_days=5,
            ),
        }
        cls.approved = CommentFactory(article=cls.articles["open"])
        cls.pending = HeldCommentFactory(article=cls.articles["open"])
        cls.foreign = CommentFactory()
        cls.resent_token = served_token()
        cls.resent = HeldCommentFactory(
            article=cls.articles["open"],
            body="Posted once.",
            submission_key=moderation.submission_key(cls.resent_token, "Posted once."),
        )

    def encoded(self, **overrides):
        data = {**valid_data(), **overrides}
        return "&".join(f"{key}={value}" for key, value in data.items()).encode()

    def submit(self, case):
        """Post the case with the clock stopped, so that seconds measured are exact."""
        url = reverse("comments:post", kwargs={"slug": self.articles[case.article].slug})
        with time_machine.travel(timezone.now(), tick=False):
            if case.raw is not None:
                return self.client.generic(
                    "POST", url, case.raw, content_type="application/x-www-form-urlencoded"
                )
            data = {key: value() if callable(value) else value for key, value in case.data.items()}
            return self.client.post(url, valid_data(**data))

    def test_every_bad_submission_is_answered_clearly_and_stores_nothing_unintended(self):
        cases = catalogue(self)
        assert len({case.name for case in cases}) == len(cases)
        for case in cases:
            with self.subTest(case.name):
                before = set(Comment.objects.values_list("pk", flat=True))

                response = self.submit(case)

                assert response.status_code == case.status
                new = Comment.objects.exclude(pk__in=before)
                content = response.content.decode()
                assert "<script>alert" not in content
                if case.stored is None:
                    assert not new.exists()
                    text = field_errors(content, case.field) if case.field else page_text(content)
                    assert case.message in text
                    if case.keeps_text:
                        posted = case.data.get("body") or (BODY if "body" not in case.data else "")
                        assert textarea_text(content) == posted.strip()
                else:
                    comment = new.get()
                    assert comment.status == case.stored
                    assert comment.held_reason == case.reason
                    comment.approve()
                    shown = self.client.get(self.articles["open"].get_absolute_url())
                    assert "<script>alert" not in shown.content.decode()
                    comment.delete()
                self.client.cookies.clear()

"""The absolute promise: a commenter's (or an author's) email address is never published.

Every public page is fetched, both by crawling links from the home page (so pages added later
are covered without touching this file) and from an explicit list, and no response may contain
a known address in its body, headers or cookies, in any case, URL-encoded, as the MD5, SHA-1
or SHA-256 hex digest avatar services use, or as Byline's own lookup digest or avatar value.
tests/test_address_never_leaks.py adds pages found from the URLconf and the database dump.
"""

import hashlib
import re
import sys
from collections import deque
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from articles.models import Article, Tag
from articles.pagination import Cursor
from comments import moderation
from comments.models import Comment
from tests.comments.posting import valid_data
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    DraftArticleFactory,
    HeldCommentFactory,
    ScheduledArticleFactory,
    StaffFactory,
)
from tests.privacy import leaks, needles, same_origin_links, text_leaks

MAX_CRAWL = 2000

APPROVED_READER = "known.reader+secret@private-mail.example"
PENDING_READER = "Pending.Person@Private-Mail.example"
APPROVED_REPLIER = "reply.writer@private-mail.example"
PENDING_REPLIER = "held.reply@private-mail.example"
SPAMMER = "spam.sender@private-mail.example"
REMOVED_READER = "removed.reader@private-mail.example"
FORM_APPROVED = "Posted.Through.Form@private-mail.example"
FORM_PENDING = "posted.pending@private-mail.example"
FORM_REPLY = "posted.reply@private-mail.example"
DRAFT_READER = "draft.commenter@private-mail.example"
AUTHOR_LOGIN = "author.login@newsroom-private.example"
STAFF_REPLIER = "staff.replier@newsroom-private.example"

SECRETS = [
    APPROVED_READER,
    PENDING_READER,
    APPROVED_REPLIER,
    PENDING_REPLIER,
    SPAMMER,
    REMOVED_READER,
    FORM_APPROVED,
    FORM_PENDING,
    FORM_REPLY,
    DRAFT_READER,
    AUTHOR_LOGIN,
    STAFF_REPLIER,
]

# The reader who submits a broken form sees their own address again; nobody else's.
OTHER_READER = "different.reader@elsewhere.example"


def crawl(client, start="/"):
    """GET every same-origin page reachable from `start`; `{url: response}`."""
    seen = {}
    queue = deque([start])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        assert len(seen) < MAX_CRAWL, "the crawl does not end: too many distinct URLs"
        response = client.get(url)
        seen[url] = response
        if response.status_code in (301, 302, 303, 307, 308):
            queue.extend(same_origin_links(url, f'<a href="{response["Location"]}">'))
        elif response.get("Content-Type", "").startswith("text/html"):
            queue.extend(same_origin_links(url, response.content.decode()))
    return seen


def valid_post(name, email, body, parent=""):
    return valid_data(name=name, email=email, body=body, parent=parent)


@override_settings(ARTICLES_PER_PAGE=2)
class EmailPrivacyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.moderator = StaffFactory(role="Moderator")
        cls.tags = [
            Tag.objects.create(name="Trade", slug="trade"),
            Tag.objects.create(name="Energy", slug="energy"),
        ]
        login = StaffFactory(username="author-login", email=AUTHOR_LOGIN)
        cls.author_with_login = AuthorFactory(name="Hana Writer", slug="hana-writer", user=login)
        cls.other_author = AuthorFactory(name="Ivo Analyst", slug="ivo-analyst")
        cls.unpublished_author = AuthorFactory(name="Jun Drafter", slug="jun-drafter")

        cls.articles = [
            ArticleFactory(
                authors=[cls.author_with_login] if n % 2 else [cls.other_author],
                tags=cls.tags[: 1 + n % 2],
            )
            for n in range(5)
        ]
        cls.closed = ArticleFactory(
            comments_open=False, authors=[cls.author_with_login, cls.other_author]
        )
        cls.draft = DraftArticleFactory(authors=[cls.unpublished_author])
        cls.scheduled = ScheduledArticleFactory(authors=[cls.unpublished_author])
        main = cls.articles[0]

        staff = StaffFactory(username="staff-replier", email=STAFF_REPLIER)
        cls.approved = CommentFactory(
            article=main, name="Known Reader", email=APPROVED_READER, proven=True
        )
        cls.pending = HeldCommentFactory(article=main, name="Pending Person", email=PENDING_READER)
        cls.reply = CommentFactory(
            article=main, parent=cls.approved, name="Reply Writer", email=APPROVED_REPLIER
        )
        cls.pending_reply = HeldCommentFactory(
            article=main, parent=cls.approved, name="Held Replier", email=PENDING_REPLIER
        )
        cls.staff_reply = CommentFactory(
            article=main,
            parent=cls.reply,
            name="The editors",
            email=STAFF_REPLIER,
            staff_user=staff,
        )
        cls.spam = CommentFactory(
            article=main, status=Comment.Status.SPAM, name="Spam Sender", email=SPAMMER
        )
        cls.removed = CommentFactory(
            article=cls.articles[1],
            status=Comment.Status.REMOVED,
            name="Removed Reader",
            email=REMOVED_READER,
        )
        cls.on_closed = CommentFactory(article=cls.closed, name="Closed Reader", email=SPAMMER)
        cls.on_draft = CommentFactory(article=cls.draft, name="Draft Reader", email=DRAFT_READER)

        # Comments that arrive the real way, through the form.
        client = Client()
        post_url = reverse("comments:post", kwargs={"slug": cls.articles[1].slug})
        for data in (
            valid_post("Form Poster", FORM_APPROVED, "Posted through the form."),
            valid_post("Form Pending", FORM_PENDING, "Still waiting for a moderator."),
        ):
            response = client.post(post_url, data)
            assert response.status_code == 302, response.content
        cls.form_approved = Comment.objects.get(name="Form Poster")
        moderation.moderate([cls.form_approved], Comment.Status.APPROVED, cls.moderator)
        response = client.post(
            post_url,
            valid_post(
                "Form Replier", FORM_REPLY, "A reply via the form.", parent=cls.form_approved.pk
            ),
        )
        assert response.status_code == 302, response.content
        cls.form_reply = Comment.objects.get(name="Form Replier")
        moderation.moderate([cls.form_reply], Comment.Status.APPROVED, cls.moderator)

    def assert_no_leaks(self, responses):
        found = [
            (url, *leak) for url, response in responses.items() for leak in leaks(response, SECRETS)
        ]
        assert found == [], f"addresses published: {found}"

    def test_every_address_is_stored(self):
        # A precondition: the addresses searched for really are in the database.
        stored = {email.lower() for email in Comment.objects.values_list("email", flat=True)}
        stored.add(self.author_with_login.user.email.lower())

        assert {address.lower() for address in SECRETS} <= stored
        assert Comment.objects.from_address(FORM_REPLY).get().parent == self.form_approved

    def test_every_page_reached_by_crawling_from_home_shows_no_address(self):
        pages = crawl(self.client)

        assert all(response.status_code < 500 for response in pages.values())
        self.assert_no_leaks(pages)

    def test_the_crawl_reaches_every_public_page(self):
        pages = crawl(self.client)

        # The home page and its older pages, each at the cursor of the article before it.
        live = list(Article.objects.published().order_by("-published_at", "-id"))
        expected = {"/"} | {f"/?before={Cursor.of(live[n])}" for n in range(1, len(live) - 1, 2)}
        assert len(expected) == 3
        expected |= {article.get_absolute_url() for article in (*self.articles, self.closed)}
        expected |= {reverse("articles:tag", args=[tag.slug]) for tag in self.tags}
        expected |= {
            author.get_absolute_url() for author in (self.author_with_login, self.other_author)
        }
        main = self.articles[0].get_absolute_url()
        # The staff reply is three levels deep, the deepest: it has no reply link.
        expected |= {f"{main}?replyto={comment.pk}" for comment in (self.approved, self.reply)}
        expected.add(f"{self.articles[1].get_absolute_url()}?replyto={self.form_reply.pk}")
        assert expected <= set(pages), sorted(expected - set(pages))
        assert all(pages[url].status_code == 200 for url in expected)
        assert "Known Reader" in pages[main].content.decode()

    def test_the_explicit_list_of_public_urls_shows_no_address(self):
        comments = list(Comment.objects.all())
        urls = ["/", "/?page=1", "/?page=2", "/?page=3", "/?page=99", "/?page=abc"]
        # Every comment id (approved, pending, spam, removed, on other articles) as ?replyto=
        # on the articles that have comments; a sample on the others.
        with_comments = {self.articles[0], self.articles[1], self.closed, self.draft}
        for article in (*self.articles, self.closed, self.draft, self.scheduled):
            url = article.get_absolute_url()
            urls += [url, f"{url}?replyto=abc", f"{url}?replyto=999999"]
            replied = comments if article in with_comments else comments[:3]
            urls += [f"{url}?replyto={comment.pk}" for comment in replied]
        for tag in self.tags:
            url = reverse("articles:tag", args=[tag.slug])
            urls += [url, f"{url}?page=2"]
        for author in (self.author_with_login, self.other_author, self.unpublished_author):
            url = author.get_absolute_url()
            urls += [url, f"{url}?page=2"]
        urls += [
            "/no-such-page/",
            "/articles/no-such-article/",
            "/tags/no-such-tag/",
            "/authors/no-such-author/",
            reverse("comments:post", kwargs={"slug": self.articles[0].slug}),  # GET: 405
        ]

        responses = {url: self.client.get(url) for url in urls}

        assert responses["/"].status_code == 200
        assert responses["/no-such-page/"].status_code == 404
        assert responses[self.draft.get_absolute_url()].status_code == 404
        assert responses[self.scheduled.get_absolute_url()].status_code == 404
        assert responses[self.articles[0].get_absolute_url()].status_code == 200
        self.assert_no_leaks(responses)

    def test_the_404_page_shows_no_address(self):
        response = self.client.get(f"/articles/{self.draft.slug}/")

        assert response.status_code == 404
        assert "Page not found" in response.content.decode()
        assert leaks(response, SECRETS) == []

    def test_the_error_response_for_another_reader_shows_only_their_own_address(self):
        main = self.articles[0]
        url = reverse("comments:post", kwargs={"slug": main.slug})
        broken = [
            valid_post("Other Reader", "not-an-address", "Broken email."),
            valid_post("Other Reader", OTHER_READER, ""),
            valid_post("Other Reader", "still-no-address", "Reply.", parent=self.approved.pk),
            {**valid_post("Other Reader", OTHER_READER, "Bad site."), "website": "javascript:x"},
            valid_post("Other Reader", OTHER_READER, "To pending.", parent=self.pending.pk),
            valid_post("Other Reader", OTHER_READER, "Elsewhere.", parent=self.removed.pk),
            valid_post("", OTHER_READER, "Nameless reply.", parent=self.reply.pk),
            valid_post("Other Reader", OTHER_READER, "x" * (settings.COMMENT_MAX_LENGTH + 1)),
        ]
        responses = {}
        for n, data in enumerate(broken):
            # Refused forms count against the per-IP flood limit: one reader's network each.
            response = self.client.post(url, data, REMOTE_ADDR=f"198.51.100.{n + 1}")
            responses[f"{url} #{n}"] = response
            assert response.status_code == 400

        self.assert_no_leaks(responses)
        # The search does find an address that is on the page: the reader's own, kept in the form.
        own = self.client.post(url, valid_post("Other Reader", OTHER_READER, ""))
        assert leaks(own, [OTHER_READER])
        closed = self.client.post(
            reverse("comments:post", kwargs={"slug": self.closed.slug}),
            valid_post("Other Reader", OTHER_READER, "Too late."),
        )
        assert closed.status_code == 400
        assert leaks(closed, SECRETS) == []

    def test_posting_a_comment_and_following_the_redirect_shows_no_address(self):
        main = self.articles[0]
        url = reverse("comments:post", kwargs={"slug": main.slug})

        redirect = self.client.post(url, valid_post("Other Reader", OTHER_READER, "Fine."))
        followed = self.client.get(redirect["Location"])

        assert redirect.status_code == 302
        assert followed.status_code == 200
        assert leaks(redirect, [*SECRETS, OTHER_READER]) == []
        assert leaks(followed, [*SECRETS, OTHER_READER]) == []


class LeakDetectorTests(TestCase):
    """The checks above can fail: the detector finds an address in each form it looks for."""

    def test_detector_finds_each_form_of_an_address(self):
        for label, needle in needles(APPROVED_READER).items():
            with self.subTest(label):
                response = HttpResponse(f"<p>avatar {needle.upper()} here</p>")

                assert (APPROVED_READER, label, "body") in leaks(response, SECRETS)

    def test_detector_finds_an_address_in_a_header_and_a_cookie(self):
        response = HttpResponse("nothing here")
        response["X-Commenter"] = PENDING_READER
        response.set_cookie("who", hashlib.md5(FORM_PENDING.encode()).hexdigest())

        found = {(address, where) for address, _label, where in leaks(response, SECRETS)}
        assert (PENDING_READER, "headers") in found
        assert (FORM_PENDING, "cookies") in found

    def test_the_avatar_value_searched_for_is_the_one_the_owners_comments_are_drawn_from(self):
        # A precondition of the scans: a comment whose avatar is its address's is on a page.
        proven = CommentFactory(email=APPROVED_READER, proven=True)
        staff_reply = CommentFactory(
            email=STAFF_REPLIER, staff_user=StaffFactory(email=STAFF_REPLIER)
        )

        assert proven.avatar_key == needles(APPROVED_READER)["avatar value"]
        assert staff_reply.avatar_key == needles(STAFF_REPLIER)["avatar value"]

    def test_detector_finds_nothing_in_a_clean_page(self):
        assert text_leaks("<p>Known Reader wrote: hello.</p>", SECRETS) == []

    def test_crawler_follows_relative_links_and_skips_admin_static_media_and_other_sites(self):
        content = (
            '<a href="?page=2">next</a> <a href="/articles/x/#comments">x</a> '
            '<a href="http://testserver/tags/t/">t</a> <a href="https://else.example/">e</a> '
            '<a href="/admin/">a</a> <a href="/static/css/site.css">s</a> '
            '<a href="/media/a.png">m</a> <a href="mailto:desk@byline.example">mail</a> '
            '<link rel="canonical" href="http://testserver/articles/y/">'
        )

        links = same_origin_links("/authors/a/", content)

        assert links == ["/authors/a/?page=2", "/articles/x/", "/tags/t/", "/articles/y/"]


class TemplateTests(TestCase):
    def template_files(self):
        base = Path(settings.BASE_DIR).resolve()
        # Installed packages live under the interpreter's prefix: a virtualenv, whatever its name
        # (.venv, or .venv-3.13 for another Python), may sit inside the checkout.
        installed = Path(sys.prefix).resolve()
        roots = [Path(directory) for engine in settings.TEMPLATES for directory in engine["DIRS"]]
        for app in apps.get_app_configs():
            app_path = Path(app.path).resolve()
            if app_path.is_relative_to(base) and not app_path.is_relative_to(installed):
                roots.append(app_path / "templates")
        return sorted({path for root in roots if root.is_dir() for path in root.rglob("*.html")})

    def test_no_project_template_reads_an_email_attribute(self):
        files = self.template_files()

        names = {path.relative_to(settings.BASE_DIR).as_posix() for path in files}
        assert "templates/comments/comment_section.html" in names
        # The thread's markup is written in Python (comments/thread_html.py): read it too.
        files.append(Path(settings.BASE_DIR) / "comments" / "thread_html.py")
        readers = [
            f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}"
            for path in files
            for number, line in enumerate(path.read_text().splitlines(), start=1)
            if re.search(r"\.email\b", line)
        ]
        assert readers == []

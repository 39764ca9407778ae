"""Done means, for hidden addresses: the two tests issue 4 asks for.

1. After comments arrive through the real form (every opt-in ticked), neither `manage.py
   dumpdata` nor a raw `SELECT *` of every table holds a commenter's address in clear, nor a
   plain hash of it. Background tasks are stored by the database backend while posting, so an
   address passed to a queued task would be caught too.
2. Once approved, no public page shows one: every page the URLconf declares (its parameters
   filled with every article, tag, author, comment and date the site has), every page reached
   by following links, images and feeds from those, every header and cookie, in any case, as
   MD5, SHA-1 or SHA-256 hex, or as Byline's lookup digest or avatar value. Pages other apps add
   later are discovered the same way, without touching this file.

The PostgreSQL variant of the raw scan reads through the test's own connection rather than a
`pg_dump` subprocess: the test's rows live in its uncommitted transaction, which no other
connection can see.
"""

import itertools
import re
import tempfile
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from articles.models import Article, Tag
from authors.models import Author
from comments import moderation
from comments.commenters import verification
from comments.commenters.privacy import digest
from comments.models import Comment, CommenterAddress
from tests.comments.html import avatars_on
from tests.comments.posting import submit_comment
from tests.factories import ArticleFactory, AuthorFactory, StaffFactory
from tests.privacy import SKIPPED_PREFIXES, LinkParser, leaks, needles, same_origin_links

FIRST = "Zeta.Quill+dump-check@Private-Mail.example"
SECOND = "ymir.underscore_reader@private-mail.example"
REPLIER = "REPLY.ONLY.UPPER@PRIVATE-MAIL.EXAMPLE"
HELD = "never.approved@private-mail.example"
ADDRESSES = [FIRST, SECOND, REPLIER, HELD]

MAX_URLS_PER_ROUTE = 300
MAX_PAGES = 3000
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def fill_comments(moderator):
    """Comments from the form (the one path addresses arrive by): approved, replied, held."""
    article = Article.objects.published().order_by("pk").first()
    other = Article.objects.published().order_by("pk").last()
    reader = Client()
    first = submit_comment(
        reader, article, "203.0.113.10", name="Zeta Quill", email=FIRST, body="A first comment."
    )
    second = submit_comment(
        Client(), other, "203.0.113.11", name="Ymir Reader", email=SECOND, body="Another view."
    )
    moderation.moderate([first, second], Comment.Status.APPROVED, moderator)
    reply = submit_comment(
        Client(),
        article,
        "203.0.113.12",
        query={"replyto": first.pk},
        name="Reply Only",
        email=REPLIER,
        body="A threaded reply.",
    )
    assert reply.parent == first
    # The first reader confirms the address, following the link sent to it in the browser they
    # wrote from: their next comment is drawn with the address's avatar.
    link = verification.confirmation_url(CommenterAddress.objects.get(email_digest=digest(FIRST)))
    assert reader.post(urlsplit(link).path).status_code == 200
    again = submit_comment(
        reader, article, "203.0.113.10", name="Zeta Quill", email=FIRST, body="Again, later."
    )
    moderation.moderate([reply, again], Comment.Status.APPROVED, moderator)
    submit_comment(
        Client(), other, "203.0.113.13", name="Held Reader", email=HELD, body="Still waiting."
    )
    return article


def clear_text_findings(text, where):
    """`[(address, form, where)]` for each address (or plain hash of one) found in `text`."""
    text = text.lower()
    found = []
    for address in ADDRESSES:
        forms = needles(address)
        # Byline's own keyed values are stored on purpose (the lookup digest, the avatar of the
        # comments the address's owner proved); everything else must not be.
        forms.pop("lookup digest")
        forms.pop("avatar value")
        for label, needle in forms.items():
            if needle.lower() in text:
                found.append((address, label, where))
    return found


def _as_text(value):
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return f"{value.decode('latin-1')} {value.hex()}"
    return str(value)


def raw_database_rows():
    """`{table: text}` with every value of every row of every table, read with plain SQL."""
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            tables[table] = "\n".join(
                " | ".join(_as_text(value) for value in row) for row in cursor.fetchall()
            )
    return tables


class DatabaseDumpTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        ArticleFactory.create_batch(2, authors=[AuthorFactory()])
        cls.moderator = StaffFactory(role="Moderator")
        with override_settings(TASKS=DATABASE_TASKS):
            cls.article = fill_comments(cls.moderator)

    def test_the_comments_really_were_stored(self):
        stored = {comment.email for comment in Comment.objects.all()}

        assert stored == set(ADDRESSES)
        assert Comment.objects.approved().count() == 4

    def test_dumpdata_holds_no_address_in_clear(self):
        out = StringIO()
        call_command("dumpdata", stdout=out)
        dump = out.getvalue()

        assert '"model": "comments.comment"' in dump
        assert clear_text_findings(dump, "dumpdata") == []

    def test_no_table_holds_an_address_in_clear(self):
        tables = raw_database_rows()

        comment_table = Comment._meta.db_table
        assert "gAAAAA" in tables[comment_table]  # the encrypted addresses are there
        found = [
            leak for table, text in tables.items() for leak in clear_text_findings(text, table)
        ]
        assert found == []

    def test_no_session_holds_an_address(self):
        for session in Session.objects.all():
            assert clear_text_findings(str(session.get_decoded()), "session") == []

    def test_the_scan_finds_an_address_stored_in_clear(self):
        # The scans above can fail: an address written in clear anywhere is found.
        Comment.objects.filter(pk=Comment.objects.first().pk).update(body=f"Write to {SECOND}")

        tables = raw_database_rows()
        out = StringIO()
        call_command("dumpdata", "comments", stdout=out)

        assert clear_text_findings(tables[Comment._meta.db_table], "comments")
        assert clear_text_findings(out.getvalue(), "dumpdata")


def route_templates(resolvers=None, prefix=""):
    """Every URL pattern as `(route, converters)`: route strings joined from their includes."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        pattern = entry.pattern
        if not isinstance(pattern, RoutePattern):
            continue  # regex routes (static files in DEBUG) serve no database content
        route = prefix + str(pattern)
        if isinstance(entry, URLResolver):
            yield from route_templates(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, pattern.converters


class RouteFiller:
    """Candidate values for each URL parameter, from what the database holds."""

    def __init__(self):
        dates = [value.date() for value in Article.objects.values_list("published_at", flat=True)]
        slugs = {
            *Article.objects.values_list("slug", flat=True),
            *Tag.objects.values_list("slug", flat=True),
            *Author.objects.values_list("slug", flat=True),
            "no-such-page",
        }
        ids = {
            *Comment.objects.values_list("pk", flat=True),
            *Article.objects.values_list("pk", flat=True),
            999999,
        }
        self.by_name = {
            "year": {day.year for day in dates},
            "month": {day.month for day in dates},
            "day": {day.day for day in dates},
        }
        self.by_converter = {"slug": slugs, "int": ids, "str": slugs, "path": slugs}

    def values(self, name, converter):
        if name in self.by_name and type(converter).__name__ == "IntConverter":
            return sorted(self.by_name[name])
        kind = type(converter).__name__.removesuffix("Converter").lower()
        if kind == "uuid":
            return ["00000000-0000-4000-8000-000000000000"]
        return sorted(self.by_converter.get(kind, self.by_converter["str"]), key=str)

    def urls(self, route, converters):
        names = list(converters)
        choices = [self.values(name, converters[name]) for name in names]
        for combination in itertools.islice(itertools.product(*choices), MAX_URLS_PER_ROUTE):
            url = route
            for name, value in zip(names, combination, strict=True):
                url = re.sub(rf"<(?:\w+:)?{name}>", str(value), url, count=1)
            yield "/" + url


class _AssetParser(LinkParser):
    """Images and other resources a page loads: where avatar URLs would be."""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for attribute in ("src", "data", "poster"):
            if attrs.get(attribute):
                self.links.append(attrs[attribute])
        if tag in ("image", "use") and (attrs.get("href") or attrs.get("xlink:href")):
            self.links.append(attrs.get("href") or attrs["xlink:href"])
        for candidate in (attrs.get("srcset") or "").split(","):
            if candidate.strip():
                self.links.append(candidate.split()[0])


def linked_urls(url, response):
    content_type = response.get("Content-Type", "")
    if response.status_code in (301, 302, 303, 307, 308):
        return same_origin_links(url, f'<a href="{response["Location"]}">')
    if content_type.startswith("text/html"):
        content = response.content.decode()
        assets = _AssetParser()
        assets.feed(content)
        html = content + "".join(f'<a href="{link}"></a>' for link in assets.links)
        return same_origin_links(url, html)
    if "xml" in content_type:  # feeds and sitemaps: follow their <link> and <loc> elements
        content = response.content.decode()
        found = re.findall(r"<(?:link|loc|guid|comments)[^>]*>([^<]+)</", content)
        found += re.findall(r'<link[^>]*href="([^"]+)"', content)
        return same_origin_links(url, "".join(f'<a href="{link}"></a>' for link in found))
    return []


@override_settings(ARTICLES_PER_PAGE=2)
class PublicPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.tag = Tag.objects.create(name="Scanned", slug="scanned")
        authors = [AuthorFactory(), AuthorFactory()]
        for n in range(4):
            ArticleFactory(authors=[authors[n % 2]], tags=[cls.tag])
        cls.moderator = StaffFactory(role="Moderator")
        cls.article = fill_comments(cls.moderator)

    def fetch_everything(self):
        """GET every route with every filling, then everything linked from the answers."""
        filler = RouteFiller()
        queue = [
            url
            for route, converters in route_templates()
            for url in filler.urls(route, converters)
            if not url.startswith(SKIPPED_PREFIXES)
        ]
        queue.append("/")
        client = Client()  # a stranger's browser: no saved details
        pages = {}
        while queue:
            url = queue.pop()
            if url in pages:
                continue
            assert len(pages) < MAX_PAGES, "the scan does not end: too many distinct URLs"
            pages[url] = response = client.get(url)
            queue.extend(link for link in linked_urls(url, response) if link not in pages)
        return pages

    def test_no_public_page_feed_header_or_avatar_shows_an_address_or_a_hash_of_one(self):
        pages = self.fetch_everything()

        assert all(response.status_code < 500 for response in pages.values()), [
            url for url, response in pages.items() if response.status_code >= 500
        ]
        found = [
            (url, *leak) for url, response in pages.items() for leak in leaks(response, ADDRESSES)
        ]
        assert found == [], f"addresses published: {found}"

    def test_the_scan_covers_the_commented_pages_feeds_and_avatars(self):
        pages = self.fetch_everything()

        article_url = self.article.get_absolute_url()
        article = pages[article_url].content.decode()
        assert pages[article_url].status_code == 200
        for name in ("Zeta Quill", "Reply Only", "A threaded reply."):
            assert name in article
        assert len(avatars_on(article)) == 3
        # One of them is drawn from its address's avatar value, which the scan looks for.
        again = Comment.objects.get(body="Again, later.")
        assert again.avatar_key == needles(FIRST)["avatar value"]
        assert f"{article_url}?replyto={Comment.objects.get(name='Reply Only').pk}" in pages
        for url in ("/", "/feed/", "/tags/scanned/", "/tags/scanned/feed/"):
            assert pages[url].status_code == 200, url
        ok = {url for url, response in pages.items() if response.status_code == 200}
        assert len(ok) >= 15
        # Every route the URLconf declares was requested at least once.
        for route, converters in route_templates():
            if not ("/" + route).startswith(SKIPPED_PREFIXES):
                assert any(url in pages for url in RouteFiller().urls(route, converters)), route

    def test_the_scan_would_see_an_address_on_a_page(self):
        Comment.objects.filter(name="Reply Only").update(body=f"Mail me: {REPLIER.lower()}")

        response = self.client.get(self.article.get_absolute_url())

        assert (REPLIER, "address", "body") in leaks(response, ADDRESSES)


class DumpRoundTripTests(TestCase):
    def test_a_dump_loads_back_with_every_address_readable(self):
        ArticleFactory(authors=[AuthorFactory()])
        fill_comments(StaffFactory(role="Moderator"))
        before = sorted(Comment.objects.values_list("pk", "name", "email_digest"))
        emails = sorted(comment.email for comment in Comment.objects.all())
        out = StringIO()
        call_command("dumpdata", "comments.comment", stdout=out)

        Comment.objects.all().delete()
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "comments.json"
            path.write_text(out.getvalue())
            call_command("loaddata", str(path), verbosity=0)

        assert sorted(Comment.objects.values_list("pk", "name", "email_digest")) == before
        assert sorted(comment.email for comment in Comment.objects.all()) == emails
        assert clear_text_findings(out.getvalue(), "dumpdata") == []

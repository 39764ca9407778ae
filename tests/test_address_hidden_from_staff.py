"""Staff without `view_commenter_email` never receive a commenter's address (issue 10, item 3).

1. The admin walk. It runs as staff holding every permission there is except
   `comments.view_commenter_email`, and is built from the admin site itself: the site's own
   views and every registered ModelAdmin's `get_urls()`, each parameter filled with every
   object the database holds; every action `get_actions()` offers, run on every object; and
   every POST button of every page reached, pressed as the page serves it (each press rolled
   back, so one does not undo the next), with the pages they lead to. No body, header, cookie
   or log line holds a commenter's address in any case, URL-encoded or escaped, as MD5, SHA-1
   or SHA-256 hex, or as Byline's lookup digest or avatar value
   (`tests.test_email_privacy.needles`). A changelist search or filter, and an autocomplete,
   answer a stored address exactly as one never stored, so nobody learns an address is known.
   Pages and actions added to the admin later are walked without touching this file; a URL
   parameter it does not know how to fill fails the walk rather than being skipped.
2. Management commands, run at the server's shell. An operator typing `--email ADDRESS`
   already knows that address, so the export of that address may hold it; no command prints
   any other commenter's address, nor a digest or hash of any (`manage.py dumpdata` is
   tests/test_address_never_leaks.py's). Every command of Byline's own apps must be listed in
   `COMMAND_RUNS`, so a new command cannot skip the check.
"""

import itertools
import logging
import re
from contextlib import contextmanager
from html import escape
from html.parser import HTMLParser
from io import StringIO
from unittest import mock
from urllib.parse import quote, quote_plus, urljoin, urlsplit

import reversion
import time_machine
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client, RequestFactory, TestCase, override_settings
from django.urls import URLPattern, URLResolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from reversion.models import Version

from articles.models import Tag
from comments import moderation, permissions
from comments.commenters import verification
from comments.commenters.privacy import EncryptedEmailField, digest
from comments.models import Comment, CommenterAddress, DiscussionSettings
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    DraftArticleFactory,
    HeldCommentFactory,
    StaffFactory,
)
from tests.logs import log_lines
from tests.privacy import leaks, text_leaks
from tests.servers import RefusingSmtpServer
from tests.task_queue import DATABASE_TASKS, run_queued_tasks

FIRST = "wren.hollowmere+walk@private-mail.example"
SECOND = "Oskar.Venndale@Private-Mail.example"
REPLIER = "quillon.marsh@private-mail.example"
HELD = "held.tamsin.brook@private-mail.example"
SPAMMER = "spam.orrin.vale@private-mail.example"
# On the discussion settings' disallowed list, where only its digest is stored.
DISALLOWED = "banned.ysolde.kerr@private-mail.example"
ADDRESSES = [FIRST, SECOND, REPLIER, HELD, SPAMMER, DISALLOWED]
# The same shape as the stored ones, never stored: what a search for a stored one must equal.
UNKNOWN = "never.stored.anyone@private-mail.example"

MISSING_PK = 987654321
WALK_TEXT = "Text typed by the walk."
MAX_FILLINGS_PER_URL = 60
# Regex URL patterns with unnamed groups (django-reversion's) cannot say what each group is;
# they are named here. A new such pattern fails the walk until it is added.
UNNAMED_GROUPS = {
    r"^recover/(\d+)/$": ["version_id"],
    r"^([^/]+)/history/(\d+)/$": ["object_id", "version_id"],
}


def local_part(address):
    return address.split("@", 1)[0]


def every_permission_but_addresses():
    app_label, codename = permissions.VIEW_ADDRESSES.split(".")
    return Permission.objects.exclude(content_type__app_label=app_label, codename=codename)


def make_walker(username="walker", see_addresses=False):
    user = StaffFactory(username=username)
    permissions = every_permission_but_addresses()
    if see_addresses:
        permissions = Permission.objects.all()
    user.user_permissions.set(permissions)
    return user


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


class _PageForms(HTMLParser):
    """The POST forms of a page and their submit buttons, as a browser would submit them.

    Fields go with their form, or with the form their `form` attribute names; an empty text
    area the page requires is filled with `WALK_TEXT`, so that a reply is really posted.
    """

    def __init__(self):
        super().__init__()
        self.forms = {}  # key -> {"action", "method", "fields": [(name, value)]}
        self.buttons = []  # (form key, formaction, name, value)
        self.current = None
        self.anonymous = 0
        self.select = None
        self.select_options = []
        self.option = None
        self.textarea = None

    def _form_key(self, attrs):
        return attrs.get("form") or self.current

    def _add(self, attrs, value):
        key = self._form_key(attrs)
        if key is not None and attrs.get("name") and "disabled" not in attrs:
            self.forms.setdefault(key, {"action": "", "method": "post", "fields": []})
            self.forms[key]["fields"].append((attrs["name"], value))

    def handle_starttag(self, tag, attrs):
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self.anonymous += 1
            self.current = attrs.get("id") or f"form-{self.anonymous}"
            form = self.forms.setdefault(self.current, {"fields": []})
            form["action"] = attrs.get("action", "")
            form["method"] = (attrs.get("method") or "get").lower()
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "image"):
                self._button(attrs)
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(attrs, attrs.get("value", "on"))
            elif kind not in ("file", "reset", "button"):
                self._add(attrs, attrs.get("value", ""))
        elif tag == "button":
            if (attrs.get("type") or "submit").lower() == "submit":
                self._button(attrs)
        elif tag == "textarea":
            self.textarea = [attrs, ""]
        elif tag == "select":
            self.select = attrs
            self.select_options = []
        elif tag == "option" and self.select is not None:
            self.option = [attrs.get("value"), "selected" in attrs, ""]
            self.select_options.append(self.option)

    def _button(self, attrs):
        key = self._form_key(attrs)
        if key is not None and "disabled" not in attrs:
            self.buttons.append(
                (key, attrs.get("formaction"), attrs.get("name"), attrs.get("value", ""))
            )

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data
        if self.option is not None:
            self.option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "textarea" and self.textarea is not None:
            attrs, text = self.textarea
            text = text.removeprefix("\n")
            self._add(attrs, text or (WALK_TEXT if "required" in attrs else ""))
            self.textarea = None
        elif tag == "option":
            self.option = None
        elif tag == "select" and self.select is not None:
            options = [
                (value if value is not None else text) for value, _s, text in self.select_options
            ]
            chosen = [
                value if value is not None else text
                for value, selected, text in self.select_options
                if selected
            ]
            values = chosen or options[:1]
            if "multiple" in self.select:
                values = chosen
            for value in values:
                self._add(self.select, value)
            self.select = None

    def submissions(self, page_url):
        """`(url, data)` for each submit button of a POST form."""
        found = []
        for key, formaction, name, value in self.buttons:
            form = self.forms.get(key)
            if form is None or form.get("method", "post") != "post":
                continue
            data = {}
            for field, field_value in form["fields"]:
                data.setdefault(field, []).append(field_value)
            if name:
                data[name] = [value]
            found.append((urljoin(page_url, formaction or form["action"] or page_url), data))
        return found


def page_submissions(url, response):
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    parser = _PageForms()
    parser.feed(response.content.decode())
    return parser.submissions(url)


def echo_forms(term):
    """How a page may echo a term it was sent: as typed, escaped, in a link, or in a link
    carried inside another (the admin's `_changelist_filters`)."""
    encodings = [escape, quote_plus, lambda text: quote(text, safe=""), quote]
    forms = {term}
    for _round in range(2):
        forms |= {encode(form) for form in forms for encode in encodings}
    return sorted(forms, key=len, reverse=True)


CSRF_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')


def masked(response, term):
    """`(status, Location, body)` with the echoed term and the per-response token masked."""
    body = response.content.decode("utf-8", "replace")
    location = response.get("Location", "")
    for form in echo_forms(term):
        body = body.replace(form, "[TERM]")
        location = location.replace(form, "[TERM]")
    return response.status_code, location, CSRF_TOKEN.sub(r"\1[TOKEN]\2", body)


class AdminWalk:
    """The walk described in the module docstring, for one signed-in test client."""

    def __init__(self, user, only_models=None):
        self.client = Client()
        self.user = user
        self.site = admin.site
        self.registry = {
            model: model_admin
            for model, model_admin in self.site._registry.items()
            if only_models is None or model in only_models
        }
        self.only_models = only_models
        self.responses = []  # (what, response)
        self.search_pairs = []  # (what, known response, unknown response, known term, unknown)
        self.actions_run = []  # (model label, action name)
        self.buttons_pressed = []  # (page url, submitted to, data)
        self.logout_url = reverse(f"{self.site.name}:logout")
        self.fetched = set()

    def login(self):
        self.client.force_login(self.user)

    # URLs from the admin site ------------------------------------------------------------

    def model_prefix(self, model):
        return (
            reverse(f"{self.site.name}:index")
            + f"{model._meta.app_label}/{model._meta.model_name}/"
        )

    def values_for(self, name, model):
        if name in ("object_id", "id", "pk"):
            pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
            return [*pks, MISSING_PK]
        if name == "version_id":
            return [*Version.objects.get_for_model(model).values_list("pk", flat=True), MISSING_PK]
        if name == "app_label":
            return sorted({registered._meta.app_label for registered in self.site._registry})
        if name == "url":
            return ["no-such-admin-page/"]
        raise AssertionError(f"The walk cannot fill <{name}> of {model}: teach it (values_for).")

    def view_on_site_fillings(self):
        for model in self.registry:
            content_type = ContentType.objects.get_for_model(model)
            for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[:5]:
                yield {"content_type_id": content_type.pk, "object_id": pk}

    def pattern_urls(self, pattern, prefix, model):
        """Every URL of one pattern, its parameters filled from the database."""
        route = str(pattern.pattern)
        if isinstance(pattern.pattern, RoutePattern):
            names = list(pattern.pattern.converters)
        else:
            names = list(pattern.pattern.regex.groupindex)
            if pattern.pattern.regex.groups > len(names):
                assert route in UNNAMED_GROUPS, f"name the groups of {route} in UNNAMED_GROUPS"
                names = UNNAMED_GROUPS[route]
        if set(names) == {"content_type_id", "object_id"}:
            fillings = list(self.view_on_site_fillings())
        else:
            choices = [self.values_for(name, model) for name in names]
            fillings = [
                dict(zip(names, combination, strict=True))
                for combination in itertools.islice(
                    itertools.product(*choices), MAX_FILLINGS_PER_URL
                )
            ]
        for filling in fillings:
            url = route
            if isinstance(pattern.pattern, RoutePattern):
                for name, value in filling.items():
                    url = re.sub(rf"<(?:\w+:)?{name}>", str(value), url, count=1)
            else:
                values = iter(filling.values())
                url = re.sub(r"\((?:\?P<\w+>)?[^)]*\)", lambda _m, v=values: str(next(v)), url)
                url = url.lstrip("^").rstrip("$")
            yield pattern.name, prefix + url

    def urls(self):
        """`(pattern name, url)` for the site's own views and every registered model's."""
        index = reverse(f"{self.site.name}:index")
        if self.only_models is None:
            for pattern in self.site.get_urls():
                if isinstance(pattern, URLPattern):
                    yield from self.pattern_urls(pattern, index, next(iter(self.registry)))
                else:
                    assert isinstance(pattern, URLResolver)
        for model, model_admin in self.registry.items():
            for pattern in model_admin.get_urls():
                assert isinstance(pattern, URLPattern), pattern
                assert isinstance(pattern.pattern, RoutePattern | RegexPattern)
                yield from self.pattern_urls(pattern, self.model_prefix(model), model)

    # Requests ------------------------------------------------------------------------------

    def get(self, url, what=None):
        response = self.client.get(url)
        self.responses.append((what or url, response))
        self.fetched.add(url)
        return response

    def follow(self, response, what, again=True):
        """The pages a redirect leads to (where the messages are shown), within the admin;
        with `again` false, not a page the walk has already fetched."""
        hops = 0
        while response.status_code in (301, 302, 303) and hops < 3:
            location = response["Location"]
            if not urlsplit(location).path.startswith(reverse(f"{self.site.name}:index")):
                return
            if not again and location in self.fetched:
                return
            response = self.client.get(location)
            self.responses.append((f"{what} -> {location}", response))
            hops += 1

    def press_buttons(self, label, url, response, depth):
        """Press every POST button of the page, each in a transaction rolled back after."""
        for target, data in page_submissions(url, response):
            if urlsplit(target).path == self.logout_url:
                continue
            with rolled_back():
                pressed = self.client.post(target, data)
                what = f"{label} pressing {sorted(data)} -> {target}"
                self.responses.append((what, pressed))
                self.buttons_pressed.append((url, target, data))
                self.follow(pressed, what)
                if depth > 0 and pressed.status_code == 200:
                    self.press_buttons(what, target, pressed, depth - 1)
            self.login()

    def run_actions(self):
        factory = RequestFactory()
        for model, model_admin in self.registry.items():
            changelist = reverse(
                f"{self.site.name}:{model._meta.app_label}_{model._meta.model_name}_changelist"
            )
            request = factory.get(changelist)
            request.user = self.user
            selected = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)]
            if not selected:
                continue
            for name in model_admin.get_actions(request):
                data = {"action": name, ACTION_CHECKBOX_NAME: selected, "index": "0"}
                with rolled_back():
                    response = self.client.post(changelist, data)
                    what = f"action {model._meta.label}.{name}"
                    self.responses.append((what, response))
                    self.actions_run.append((model._meta.label, name))
                    self.follow(response, what)
                    if response.status_code == 200:
                        self.press_buttons(what, changelist, response, depth=1)
                self.login()

    # Questions that must answer a stored address like an unknown one ------------------------

    def search_terms(self):
        yield FIRST, UNKNOWN
        yield SECOND.upper(), UNKNOWN.upper()
        yield local_part(REPLIER), local_part(UNKNOWN)
        yield digest(HELD), digest(UNKNOWN)
        yield DISALLOWED, UNKNOWN

    def ask(self, url, what, params_for):
        for known, unknown in self.search_terms():
            with rolled_back():
                known_response = self.client.get(url, params_for(known))
                unknown_response = self.client.get(url, params_for(unknown))
            self.search_pairs.append((what, known_response, unknown_response, known, unknown))

    def ask_changelists_and_autocompletes(self):
        for model, model_admin in self.registry.items():
            opts = model._meta
            changelist = reverse(f"{self.site.name}:{opts.app_label}_{opts.model_name}_changelist")
            self.ask(changelist, f"search {opts.label}", lambda term: {"q": term})
            encrypted = [
                field.name for field in opts.fields if isinstance(field, EncryptedEmailField)
            ]
            for name in encrypted:
                for lookup in (name, f"{name}__iexact", f"{name}_digest"):
                    self.ask(
                        changelist, f"filter {opts.label} {lookup}", lambda t, k=lookup: {k: t}
                    )
            for pattern in model_admin.get_urls():
                if pattern.name and "autocomplete" in pattern.name:
                    url = reverse(f"{self.site.name}:{pattern.name}")
                    self.ask(url, pattern.name, lambda term: {"term": term})
            for field in opts.get_fields():
                if field.is_relation and field.concrete:
                    params = {
                        "app_label": opts.app_label,
                        "model_name": opts.model_name,
                        "field_name": field.name,
                    }
                    self.ask(
                        reverse(f"{self.site.name}:autocomplete"),
                        f"autocomplete {opts.label}.{field.name}",
                        lambda term, p=params: {**p, "term": term},
                    )

    # The whole walk --------------------------------------------------------------------------

    def run(self):
        self.login()
        with log_lines() as self.log_lines:
            for name, url in self.urls():
                what = f"{name} {url}"
                with rolled_back():
                    response = self.get(url, what)
                    self.follow(response, what, again=False)
                    if response.status_code == 200:
                        self.press_buttons(what, url, response, depth=0)
                self.login()
            self.run_actions()
            self.ask_changelists_and_autocompletes()
        return self

    def leaks(self):
        found = []
        for what, response in self.responses:
            found += [(what, *leak) for leak in leaks(response, ADDRESSES)]
        for what, known, _unknown, term, _other in self.search_pairs:
            status, location, body = masked(known, term)
            found += [(what, *leak) for leak in text_leaks(f"{location}\n{body}", ADDRESSES)]
        for line in self.log_lines:
            found += [("log", *leak) for leak in text_leaks(line, ADDRESSES)]
        return found

    def server_errors(self):
        answered = [
            *self.responses,
            *((what, known) for what, known, _u, _t, _o in self.search_pairs),
            *((what, unknown) for what, _k, unknown, _t, _o in self.search_pairs),
        ]
        return [what for what, response in answered if response.status_code >= 500]


class HiddenAddressWalkTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        moderator = StaffFactory(username="moderator", role="Moderator")
        editor = StaffFactory(username="editor", role="Editor")
        tag = Tag.objects.create(name="Harbours", slug="harbours")
        author = AuthorFactory(name="Hana Writer", user=editor)
        with reversion.create_revision():
            cls.article = ArticleFactory(title="Harbour talks", tags=[tag], authors=[author])
        with reversion.create_revision():
            cls.article.standfirst = "A second revision."
            cls.article.save()
        other = ArticleFactory(title="Port reform")
        DraftArticleFactory(title="Unpublished piece", created_by=editor)

        cls.first = CommentFactory(article=cls.article, name="Wren H.", email=FIRST)
        cls.second = CommentFactory(
            article=other, name="Oskar V.", email=SECOND, website="https://oskar.example"
        )
        cls.reply = CommentFactory(
            article=cls.article, parent=cls.first, name="Quill M.", email=REPLIER
        )
        cls.held = HeldCommentFactory(article=cls.article, name="Tamsin B.", email=HELD)
        cls.spam = CommentFactory(
            article=other, name="Orrin", email=SPAMMER, status=Comment.Status.SPAM
        )
        cls.again = HeldCommentFactory(article=other, name="Wren H.", email=FIRST.upper())
        moderation.moderate([cls.held], Comment.Status.REMOVED, moderator)
        cls.held = HeldCommentFactory(article=other, name="Tamsin B.", email=HELD)
        for address in (FIRST, SECOND, SPAMMER):
            CommenterAddress.objects.create(email=address, verified_at=timezone.now())
        rules = DiscussionSettings.current()
        rules.disallowed_email_digests = [digest(DISALLOWED)]
        rules.save()
        comment_admin = admin.site._registry[Comment]
        request = RequestFactory().get("/")
        request.user = moderator
        for comment in (cls.first, cls.spam):
            comment_admin.log_change(request, comment, "Approved the comment.")
        cls.failed_mail = a_refused_confirmation_mail(FIRST)


def a_refused_confirmation_mail(address):
    """The task table's row of a confirmation message to `address` that the mail server
    refused, made by running the task against a server that refuses every recipient."""
    smtp = RefusingSmtpServer().start()
    try:
        with override_settings(TASKS=DATABASE_TASKS, **smtp.email_settings):
            commenter = CommenterAddress.objects.get(email_digest=digest(address))
            verification.send_confirmation.enqueue(commenter.pk)
            run_queued_tasks()
    finally:
        smtp.close()
    assert smtp.refused == [address]
    return DBTaskResult.objects.get(status=TaskResultStatus.FAILED)


def walk_as(user, only_models=None):
    with time_machine.travel(timezone.now(), tick=False):
        return AdminWalk(user, only_models).run()


class AdminWalkTests(HiddenAddressWalkTestCase):
    _walk = None

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.walker = make_walker()

    @property
    def walk(self):
        """One walk for the class (it makes hundreds of requests): every test starts from the
        same data, so the first one's walk answers for all."""
        if AdminWalkTests._walk is None:
            AdminWalkTests._walk = walk_as(self.walker)
        return AdminWalkTests._walk

    def test_the_walker_holds_every_permission_but_the_address_one(self):
        assert not self.walker.has_perm(permissions.VIEW_ADDRESSES)
        assert self.walker.has_perm("comments.manage_personal_data")
        assert self.walker.has_perm("comments.change_comment")
        assert self.walker.has_perm("comments.delete_comment")
        assert self.walker.has_perm("comments.change_discussionsettings")
        assert self.walker.get_all_permissions() == {
            f"{p.content_type.app_label}.{p.codename}" for p in every_permission_but_addresses()
        }

    def test_no_admin_page_action_button_download_or_log_line_gives_away_an_address(self):
        walk = self.walk

        assert walk.server_errors() == []
        found = walk.leaks()
        assert found == [], f"addresses given away: {found[:20]}"

    def test_searching_or_filtering_by_a_stored_address_answers_like_an_unknown_one(self):
        walk = self.walk

        differing = [
            (what, known_term)
            for what, known, unknown, known_term, unknown_term in walk.search_pairs
            if masked(known, known_term) != masked(unknown, unknown_term)
        ]
        assert differing == []

    def test_the_walk_reaches_every_admin_page_action_and_the_personal_data_tools(self):
        walk = self.walk

        visited = " ".join(what for what, _response in walk.responses)
        ok = [what for what, response in walk.responses if response.status_code < 400]
        for model, model_admin in admin.site._registry.items():
            for pattern in model_admin.get_urls():
                if pattern.name:
                    assert pattern.name in visited, pattern.name
            request = RequestFactory().get("/")
            request.user = self.walker
            if model._default_manager.exists():
                for name in model_admin.get_actions(request):
                    assert (model._meta.label, name) in walk.actions_run
        assert ("comments.Comment", "export_or_erase") in walk.actions_run
        failed_task_page = reverse(
            "admin:django_tasks_database_dbtaskresult_change", args=[self.failed_mail.pk]
        )
        assert any(
            what.endswith(f" {failed_task_page}") and response.status_code == 200
            for what, response in walk.responses
        )
        assert len(ok) > 100
        pressed = {target for _page, target, _data in walk.buttons_pressed}
        for comment in (self.first, self.held):
            for view in ("change", "moderate", "reply", "delete"):
                assert reverse(f"admin:comments_comment_{view}", args=[comment.pk]) in {
                    urlsplit(url).path for url in pressed
                }, view
        operations = {
            value for _p, _t, data in walk.buttons_pressed for value in data.get("operation", [])
        }
        assert "erase" in operations
        replies = Comment.objects.filter(body=WALK_TEXT)
        assert not replies.exists()  # pressed, then rolled back
        assert any("Published your reply" in r.content.decode() for _w, r in walk.responses)
        assert walk.search_pairs


class AdminWalkCanFailTests(HiddenAddressWalkTestCase):
    """The walk finds an address wherever the admin does give one: to staff allowed to see it."""

    def test_the_walk_finds_the_addresses_shown_to_staff_allowed_to_see_them(self):
        walk = walk_as(make_walker("sees-addresses", see_addresses=True), [Comment])

        found = walk.leaks()
        where = {what for what, *_rest in found}
        addresses = {address for _what, address, *_rest in found}
        assert any(what.startswith("comments_comment_change ") for what in where)
        assert any(what.startswith("action comments.Comment.export_or_erase") for what in where)
        assert FIRST in addresses and SECOND in addresses
        # Searching by address is theirs: the result for a stored address differs.
        assert any(
            masked(known, known_term) != masked(unknown, unknown_term)
            for what, known, unknown, known_term, unknown_term in walk.search_pairs
            if what == "search comments.Comment"
        )

    def test_the_log_check_finds_an_address_in_a_log_line(self):
        with log_lines() as lines:
            logging.getLogger("django.request").warning("Comment from %s", SECOND)

        assert text_leaks(lines[-1], ADDRESSES)


# Management commands ------------------------------------------------------------------------

PROJECT_APPS = {"articles", "authors", "comments", "config"}


def project_commands():
    return {name for name, app in get_commands().items() if app in PROJECT_APPS}


def answer(reply):
    """Patch `input()`: record each prompt and give `reply`."""
    prompts = []

    def fake_input(prompt=""):
        prompts.append(prompt)
        return reply

    return prompts, mock.patch("builtins.input", fake_input)


#: For each command: runs as (arguments, the address the operator typed or None, settings,
#: the answer to a confirmation prompt).
COMMAND_RUNS = {
    "commenter_data": [
        (["export", "--email", FIRST], FIRST, {}, None),
        (["export", "--email", FIRST.upper()], FIRST.upper(), {}, None),
        (["export", "--email", UNKNOWN], UNKNOWN, {}, None),
        (["export", "--email", "not-an-address"], None, {}, None),
        (["erase", "--email", SECOND], SECOND, {}, "no"),
        (["erase", "--email", SECOND], SECOND, {}, "yes"),
        (["erase", "--email", REPLIER, "--yes"], REPLIER, {}, None),
        (["erase", "--email", UNKNOWN, "--yes"], UNKNOWN, {}, None),
    ],
    "anonymise_comment_ips": [([], None, {}, None)],
    "rotate_comment_keys": [
        ([], None, {}, None),
        # Keys that read none of the stored addresses: the refusal names rows, not addresses.
        (
            [],
            None,
            {"COMMENT_EMAIL_KEYS": ["bmV3LWtleS1ub3QtdGhlLW9sZC1vbmUtMzItYnl0ZXM="]},
            None,
        ),
    ],
    "make_renditions": [([], None, {}, None), (["--all", "--now"], None, {}, None)],
    "load_demo_content": [(["--no-staff"], None, {}, None)],
    # Refused (the walk's articles are there), then adding commenters of its own.
    "generate_content": [
        ([], None, {}, None),
        (["--append", "--articles", "20", "--comments", "60", "--big-thread", "5"], None, {}, None),
    ],
    # Into the tests' media folder, never over the committed card.
    "draw_share_image": [(["--output", f"{settings.MEDIA_ROOT}/share-image.png"], None, {}, None)],
    # No front cache configured, then one that does not answer: the command says so.
    "purge_front_cache": [
        ([], None, {}, None),
        ([], None, {"FRONT_CACHE_PURGE_URLS": ["http://127.0.0.1:9/"]}, None),
    ],
}


def stored_addresses():
    return {
        *(comment.email for comment in Comment.objects.exclude(email_digest="")),
        *(address.email for address in CommenterAddress.objects.all()),
    }


class CommandOutputTests(HiddenAddressWalkTestCase):
    def run_command(self, name, arguments, overrides, reply):
        out, err = StringIO(), StringIO()
        prompts, patch = answer(reply)
        with rolled_back():
            with override_settings(**overrides), patch, log_lines() as logged:
                try:
                    call_command(name, *arguments, stdout=out, stderr=err)
                    error = ""
                except CommandError as raised:
                    error = str(raised)
            written = "\n".join([out.getvalue(), err.getvalue(), error, *prompts, *logged])
            seen = stored_addresses() | set(ADDRESSES)
        return written, seen

    def test_every_command_of_our_apps_is_checked(self):
        assert set(COMMAND_RUNS) == project_commands()

    def test_no_command_prints_an_address_but_the_one_the_operator_typed(self):
        found = []
        for name, runs in COMMAND_RUNS.items():
            for arguments, typed, overrides, reply in runs:
                written, seen = self.run_command(name, arguments, overrides, reply)
                others = {
                    address for address in seen if typed is None or address.lower() != typed.lower()
                }
                found += [(name, *arguments, *leak) for leak in text_leaks(written, others)]
                if typed is not None:
                    # Not even the typed address's digest or a hash of it.
                    found += [
                        (name, *arguments, *leak)
                        for leak in text_leaks(written, [typed])
                        if leak[1] not in ("address", "local part")
                        and not leak[1].startswith(("url-encoded", "form-encoded", "html", "json"))
                    ]
        assert found == []

    def test_the_export_for_a_typed_address_holds_it_and_its_comments(self):
        written, _seen = self.run_command("commenter_data", ["export", "--email", FIRST], {}, None)

        assert FIRST in written
        assert "Wren H." in written
        assert SECOND not in written

    def test_the_check_finds_another_address_in_a_command_output(self):
        Comment.objects.filter(pk=self.first.pk).update(body=f"Ask {SECOND.lower()}")

        written, seen = self.run_command("commenter_data", ["export", "--email", FIRST], {}, None)

        assert text_leaks(written, seen - {FIRST})

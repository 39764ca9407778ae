"""What a real comment form posts: the fields a reader types and the hidden ones it carries.

`valid_data` builds a complete post by hand (to `post_url`); `submit_comment` loads the article
page and sends its form back as a browser would.
"""

import datetime
import re
import time
from html.parser import HTMLParser

import time_machine
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from comments.commenters import verification
from comments.commenters.privacy import digest
from comments.forms import form_token
from comments.models import Comment, CommenterAddress


def served_token(seconds_ago=60):
    """The form's signed time token, as if the page had been loaded `seconds_ago`."""
    return form_token(time.time() - seconds_ago)


def form_extras(seconds_ago=60):
    """The hidden fields of a form loaded `seconds_ago`: time token, empty honeypot."""
    return {"timestamp": served_token(seconds_ago), "subject": ""}


BODY = "The second paragraph overstates the trade figures."


def post_url(article):
    """Where the comment form on `article`'s page posts."""
    return reverse("comments:post", kwargs={"slug": article.slug})


def valid_data(**overrides):
    """A complete, valid comment post as the served form sends it; None drops a field."""
    data = {
        "name": "Ada Reader",
        "email": "ada.reader@mail.example",
        "website": "",
        "body": BODY,
        "parent": "",
        **form_extras(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def prove_address(client, address):
    """Give `client` the proof cookie of `address`, verified, as its confirmation link would."""
    commenter, _ = CommenterAddress.objects.get_or_create(
        email_digest=digest(address), defaults={"email": address}
    )
    commenter.verified_at = commenter.verified_at or timezone.now()
    commenter.save()
    response = HttpResponse()
    verification.set_proof_cookie(RequestFactory().get("/"), response, commenter)
    client.cookies[verification.PROOF_COOKIE] = response.cookies[verification.PROOF_COOKIE].value


class _FormReader(HTMLParser):
    """The fields of the form with the given id, as a browser would submit them, and the
    images inside it, which a browser loads (the form check, comments/form_check.py)."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields = {}
        self.images = []
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        elif self.inside and tag == "img":
            self.images.append(attrs["src"])
        elif self.inside and attrs.get("name"):
            name = attrs["name"]
            if tag == "textarea":
                self.textarea = name
                self.fields[name] = ""
            elif tag == "input":
                kind = (attrs.get("type") or "text").lower()
                if kind == "checkbox":  # every opt-in ticked: the most that can be stored
                    self.fields[name] = attrs.get("value") or "on"
                elif kind not in ("radio", "file", "image", "reset", "button"):
                    self.fields[name] = attrs.get("value") or ""

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None


def submit_comment(client, article, remote_addr, **fields):
    """Post a comment the way a reader does: load the page, fill in the form, wait, submit.

    Whatever hidden fields the form carries (tokens, honeypots) are sent back as served, and
    the images inside it are loaded, as a browser does (the form check sets a cookie).
    """
    page = client.get(article.get_absolute_url(), fields.pop("query", {}))
    assert page.status_code == 200
    reader = _FormReader("comment-form")
    reader.feed(page.content.decode())
    assert reader.fields, "no comment form on the article page"
    for src in reader.images:
        assert client.get(src).status_code == 200
    data = {**reader.fields, **fields}
    # A reader takes a while to write (the rules treat instant posts as bots).
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=40)):
        response = client.post(form_action(page.content.decode()), data, REMOTE_ADDR=remote_addr)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Comment.objects.latest("pk")


def form_action(content):
    tag = re.search(r'<form[^>]*id="comment-form"[^>]*>', content)[0]
    return re.search(r'action="([^"]*)"', tag)[1]

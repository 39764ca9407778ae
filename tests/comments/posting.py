"""What a real comment form posts besides the fields a reader types."""

import time

from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from comments.commenters import verification
from comments.commenters.privacy import digest
from comments.forms import form_token
from comments.models import CommenterAddress


def served_token(seconds_ago=60):
    """The form's signed time token, as if the page had been loaded `seconds_ago`."""
    return form_token(time.time() - seconds_ago)


def form_extras(seconds_ago=60):
    """The hidden fields of a form loaded `seconds_ago`: time token, empty honeypot."""
    return {"timestamp": served_token(seconds_ago), "subject": ""}


BODY = "The second paragraph overstates the trade figures."


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

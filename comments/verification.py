"""Confirming a commenter's address, without accounts.

After a first comment the thank-you message offers "Email me a confirmation link". The link
(signed, salted, expiring after `COMMENT_CONFIRMATION_MAX_AGE_DAYS`) leads to a page whose
button confirms the address (a POST, so that mail scanners following links confirm nothing).
Confirming does two things:

- marks the address verified (`CommenterAddress.verified_at`): with an approved comment and no
  spam since, the address is trusted (moderation.trust_finding);
- sets a proof cookie in that browser: signed, HttpOnly, SameSite=Lax, Secure over HTTPS. It
  holds the ids of the addresses proven in this browser, never an address or a hash of one.
  WordPress trusts whoever types a known address; Byline approves a trusted address's comment
  only from a browser holding this proof, and holds the others ("held: unverified comment
  under a trusted address").

`confirm_address` is the one function that confirms: reply notifications (double opt-in) hang
off the `address_confirmed` signal it sends.
"""

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from . import moderation, signals
from .models import Comment, CommenterAddress
from .privacy import digest

PROOF_COOKIE = "byline_proof"
PROOF_SALT = "comments.address-proof"
PROOF_MAX_AGE = 365 * 24 * 3600
PROOF_MAX_ADDRESSES = 5
LINK_SALT = "comments.confirm-address"
OFFER_SALT = "comments.confirmation-offer"
OFFER_MAX_AGE = 24 * 3600
#: One confirmation message per address in this many seconds, however often it is asked for.
RESEND_INTERVAL = 10 * 60


def link_max_age():
    return settings.COMMENT_CONFIRMATION_MAX_AGE_DAYS * 24 * 3600


# The offer after a comment -----------------------------------------------------------------


def offer_token(comment):
    """A signed token naming the comment just posted, for the "Email me a link" button."""
    return signing.dumps(comment.pk, salt=OFFER_SALT)


def comment_from_offer(token):
    try:
        pk = signing.loads(token or "", salt=OFFER_SALT, max_age=OFFER_MAX_AGE)
    except signing.BadSignature:
        return None
    return Comment.objects.exclude(status=Comment.Status.SPAM).filter(pk=pk).first()


def request_confirmation(comment, request):
    """Queue the confirmation message for the address of `comment`.

    Returns False when a message was already sent to that address in the last few minutes.
    """
    address = moderation.record_commenter(comment)
    if address is None or not cache.add(
        f"comments:confirmation-sent:{address.pk}", True, timeout=RESEND_INTERVAL
    ):
        return False
    link = request.build_absolute_uri(
        reverse("comments:confirm", kwargs={"token": link_token(address)})
    )
    # Only the id and the link go into the task queue: its table must not hold an address.
    transaction.on_commit(lambda: send_confirmation.enqueue(address.pk, link), robust=True)
    return True


@task()
def send_confirmation(commenter_address_pk, link):
    address = CommenterAddress.objects.filter(pk=commenter_address_pk).first()
    if address is None:  # erased since
        return
    days = settings.COMMENT_CONFIRMATION_MAX_AGE_DAYS
    send_mail(
        subject=f"Confirm your address for comments on {settings.SITE_NAME}",
        message=(
            f"Someone, hopefully you, commented on {settings.SITE_NAME} with this address and "
            "asked for a confirmation link.\n\n"
            f"To confirm it, open this link in the browser you comment from:\n\n{link}\n\n"
            f"The link works for {days} days. Once your address is confirmed and a moderator "
            "has approved one of your comments, your next comments from that browser appear "
            "at once.\n\n"
            "If you did not comment, ignore this message: nothing happens without the link."
        ),
        from_email=None,
        recipient_list=[address.email],
    )


# The link ----------------------------------------------------------------------------------


def link_token(commenter_address):
    return signing.dumps({"address": commenter_address.pk}, salt=LINK_SALT, compress=True)


class InvalidLink(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def address_from_link(token):
    """The CommenterAddress a confirmation link names; InvalidLink saying why otherwise."""
    try:
        value = signing.loads(token, salt=LINK_SALT, max_age=link_max_age())
    except signing.SignatureExpired as error:
        raise InvalidLink(
            "This confirmation link has expired. Post a comment again to ask for a new one."
        ) from error
    except signing.BadSignature as error:
        raise InvalidLink(
            "This confirmation link is not valid. Please copy the whole link from the message."
        ) from error
    pk = value.get("address") if isinstance(value, dict) else None
    address = CommenterAddress.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if address is None:
        raise InvalidLink("This confirmation link is for an address we no longer hold.")
    return address


def confirm_address(commenter_address):
    """Mark the address verified, release comments held only for lack of it, and tell others.

    Returns the comments approved as a result (each gets `comment_approved` on commit). Sends
    `address_confirmed` (sender=CommenterAddress, commenter_address=...) on commit.
    """
    if commenter_address.verified_at is None:
        commenter_address.verified_at = timezone.now()
        commenter_address.save(update_fields=["verified_at"])
    approved = moderation.release_identity_holds(commenter_address)
    transaction.on_commit(
        lambda: signals.address_confirmed.send(
            sender=CommenterAddress, commenter_address=commenter_address
        ),
        robust=True,
    )
    return approved


# The proof cookie --------------------------------------------------------------------------


def proven_ids(request):
    value = request.get_signed_cookie(
        PROOF_COOKIE, default="", salt=PROOF_SALT, max_age=PROOF_MAX_AGE
    )
    return {int(part) for part in value.split(",") if part.isdigit()}


def browser_proves(request, address):
    """Whether this browser holds the proof cookie for `address`."""
    ids = proven_ids(request)
    if not ids or not address:
        return False
    return CommenterAddress.objects.filter(pk__in=ids, email_digest=digest(address)).exists()


def set_proof_cookie(request, response, commenter_address):
    ids = [commenter_address.pk, *(i for i in proven_ids(request) if i != commenter_address.pk)]
    response.set_signed_cookie(
        PROOF_COOKIE,
        ",".join(str(i) for i in ids[:PROOF_MAX_ADDRESSES]),
        salt=PROOF_SALT,
        max_age=PROOF_MAX_AGE,
        httponly=True,
        secure=request.is_secure(),
        samesite="Lax",
    )

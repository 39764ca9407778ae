"""Confirming a commenter's address, without accounts.

After a first comment the thank-you message offers "Email me a confirmation link". The link
(signed, salted, expiring after `COMMENT_CONFIRMATION_MAX_AGE_DAYS`, built on `SITE_URL` and
never on the request's Host header) leads to a page whose button confirms the address (a POST,
so that mail scanners following links confirm nothing). Confirming does three things:

- marks the address verified (`CommenterAddress.verified_at`): with an approved comment and no
  spam since, the address is trusted (moderation.trust_finding);
- publishes the comments held only for lack of that confirmation, but only those posted from
  the confirming browser (`moderation.release_identity_holds`), and gives every comment that
  browser wrote under the address the address's avatar (comments/commenters/avatars.py). Anyone may
  type an address, and anyone may have the link sent to it: comments written under the
  address in other browsers stay held for a moderator, each with an avatar of its own. Each
  commenting browser carries a random id for this (the browser cookie, below); comments
  store a keyed digest of it (`Comment.browser_digest`);
- sets a proof cookie in that browser: signed, HttpOnly, SameSite=Lax, Secure over HTTPS. It
  holds the ids of the addresses proven in this browser, never an address or a hash of one.
  WordPress trusts whoever types a known address; Byline approves a trusted address's comment
  only from a browser holding this proof, and holds the others ("held: unverified comment
  under a trusted address").

Links are single-use. Every link carries the address's `confirmation_nonce`; using a link
clears it, which ends every link sent until then, and the next link asked for gets a new one.
Asking again does not end the links already sent: an impostor can have the message sent, and
must not be able to spoil the owner's link by asking once more.

`confirm_address` is the one function that confirms: reply notifications (double opt-in) hang
off the `address_confirmed` signal it sends.
"""

import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django_tasks import task

from articles.links import absolute_url

from .. import moderation, signals
from ..caching import shown_comments_changed
from ..mail.delivery import deliver
from ..models import Comment, CommenterAddress
from . import avatars, signed_links
from .privacy import digest, keyed_token

PROOF_COOKIE = "byline_proof"
PROOF_SALT = "comments.address-proof"
PROOF_MAX_AGE = 365 * 24 * 3600
PROOF_MAX_ADDRESSES = 5
BROWSER_COOKIE = "byline_browser"
BROWSER_MAX_AGE = 365 * 24 * 3600
BROWSER_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
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
    """The comment a button's token names, whatever its status (None: forged or expired).

    Comments marked as spam are offered the button too, and pressing it is answered alike
    (`request_confirmation` sends nothing for them): otherwise the button would tell a
    disallowed address from a held one.
    """
    try:
        pk = signing.loads(token or "", salt=OFFER_SALT, max_age=OFFER_MAX_AGE)
    except signing.BadSignature:
        return None
    return Comment.objects.filter(pk=pk).first()


def request_confirmation(comment):
    """Queue the confirmation message for the address of `comment`.

    Returns False when nothing was queued: the comment is marked as spam, or a message was
    already sent to that address in the last few minutes. The reader is answered the same
    either way (views.request_confirmation).
    """
    address = moderation.record_commenter(comment)
    if address is None or not cache.add(
        f"comments:confirmation-sent:{address.pk}", True, timeout=RESEND_INTERVAL
    ):
        return False
    # Only the id goes into the task queue: its table holds neither an address nor a link.
    transaction.on_commit(lambda: send_confirmation.enqueue(address.pk), robust=True)
    return True


@task()
def send_confirmation(commenter_address_pk):
    address = CommenterAddress.objects.filter(pk=commenter_address_pk).first()
    if address is None:  # erased since
        return
    days = settings.COMMENT_CONFIRMATION_MAX_AGE_DAYS
    message = EmailMessage(
        subject=f"Confirm your address for comments on {settings.SITE_NAME}",
        body=(
            f"Someone, hopefully you, commented on {settings.SITE_NAME} with this address and "
            "asked for a confirmation link.\n\n"
            "To confirm it, open this link in the browser you commented from: confirming "
            "publishes the comments you wrote in that browser that wait for it, and no "
            f"others.\n\n{confirmation_url(address)}\n\n"
            f"The link works once, for {days} days. Once your address is confirmed and a "
            "moderator has approved one of your comments, your next comments from that browser "
            "appear at once.\n\n"
            "If you did not comment, ignore this message: nothing happens without the link."
        ),
        to=[address.email],
    )
    deliver(message, [address])


# The link ----------------------------------------------------------------------------------


def link_token(commenter_address):
    """A signed token naming the address and its current nonce (made now if it has none)."""
    return signing.dumps(
        {"address": commenter_address.pk, "nonce": _link_nonce(commenter_address)},
        salt=LINK_SALT,
        compress=True,
    )


def confirmation_url(commenter_address):
    """The confirmation link, on the public site (`SITE_URL`), for a message to the address."""
    token = link_token(commenter_address)
    return absolute_url(reverse("comments:confirm", kwargs={"token": token}))


def _link_nonce(commenter_address):
    """The nonce shared by the links sent since the last one was used; made by the first."""
    if not commenter_address.confirmation_nonce:
        nonce = secrets.token_urlsafe(16)
        CommenterAddress.objects.filter(pk=commenter_address.pk, confirmation_nonce="").update(
            confirmation_nonce=nonce
        )
        # Another message may have made one at the same moment: theirs and ours must agree.
        commenter_address.refresh_from_db(fields=["confirmation_nonce"])
    return commenter_address.confirmation_nonce


LINK_EXPIRED = "This confirmation link has expired. Post a comment again to ask for a new one."
LINK_USED_TITLE = "This link has already been used"
LINK_USED = (
    "This confirmation link has already been used. Each link works once: your address is "
    "confirmed. To confirm it in another browser too, post a comment there and ask for a new "
    "link."
)


@dataclass(frozen=True)
class ConfirmationLink:
    address: CommenterAddress
    nonce: str


def link_from_token(token):
    """The unused confirmation link `token` names; InvalidLink saying why otherwise."""
    value = signed_links.read(
        token,
        salt=LINK_SALT,
        max_age=link_max_age(),
        expired=LINK_EXPIRED,
        altered="This confirmation link is not valid. Please copy the whole link from the message.",
    )
    address = signed_links.address_named(
        value, "address", erased="This confirmation link is for an address we no longer hold."
    )
    nonce = value.get("nonce")
    if not isinstance(nonce, str) or not nonce:  # sent before links were single-use
        raise signed_links.InvalidLink(LINK_EXPIRED)
    if not secrets.compare_digest(nonce, address.confirmation_nonce):
        raise signed_links.InvalidLink(LINK_USED, title=LINK_USED_TITLE)
    return ConfirmationLink(address, nonce)


def use_link(link):
    """Use the link up, once: it, and every other link sent with its nonce, stops working.

    Raises InvalidLink when another request used it first (one UPDATE decides, so two
    presses of the button at the same moment cannot both confirm).
    """
    used = CommenterAddress.objects.filter(
        pk=link.address.pk, confirmation_nonce=link.nonce
    ).update(confirmation_nonce="")
    if not used:
        raise signed_links.InvalidLink(LINK_USED, title=LINK_USED_TITLE)
    link.address.confirmation_nonce = ""


@dataclass(frozen=True)
class Confirmation:
    #: The comments from the confirming browser published by the confirmation.
    published: list
    #: How many comments under the address, held only for lack of confirmation, were posted
    #: from other browsers and still wait for a moderator.
    held_elsewhere: int


def confirm_address(commenter_address, browser_digest=""):
    """Mark the address verified, publish this browser's comments held only for lack of it,
    and tell others.

    `browser_digest` names the confirming browser (`browser_digest(request)`): comments held
    under the address from any other browser stay held, and only this browser's comments take
    the address's avatar (`draw_address_avatar`). Each published comment gets
    `comment_approved` on commit; `address_confirmed` (sender=CommenterAddress,
    commenter_address=...) is sent on commit.
    """
    if commenter_address.verified_at is None:
        commenter_address.verify()
    if browser_digest:
        draw_address_avatar(commenter_address, browser_digest)
    published = moderation.release_identity_holds(commenter_address, browser_digest)
    held_elsewhere = moderation.identity_holds(commenter_address)
    if browser_digest:
        held_elsewhere = held_elsewhere.exclude(browser_digest=browser_digest)
    transaction.on_commit(
        lambda: signals.address_confirmed.send(
            sender=CommenterAddress, commenter_address=commenter_address
        ),
        robust=True,
    )
    return Confirmation(published, held_elsewhere.count())


def draw_address_avatar(commenter_address, browser_digest):
    """Give the address's avatar to every comment written under it from the confirming browser
    (comments/commenters/avatars.py): its owner wrote them. What other browsers wrote keeps its
    own."""
    key = avatars.address_key(commenter_address.email_digest)
    comments = Comment.objects.from_address(commenter_address).filter(browser_digest=browser_digest)
    shown_comments_changed(*comments.approved().values_list("article_id", flat=True).distinct())
    return comments.update(avatar_key=key, **avatars.drawing(key))


# The browser id ----------------------------------------------------------------------------


def browser_digest(request, create=True):
    """The keyed digest of this browser's id, to store with its comment or to confirm from.

    The id is random (never the address, nor derived from it) and lives in the browser cookie.
    A browser without a valid one gets a new id when `create` (posting a comment), kept on the
    request for `set_browser_cookie`; otherwise it has none and "" is returned.
    """
    browser_id = getattr(request, "_comment_browser_id", None)
    if browser_id is None:
        browser_id = request.COOKIES.get(BROWSER_COOKIE, "")
        if not BROWSER_ID_PATTERN.fullmatch(browser_id):
            if not create:
                return ""
            browser_id = secrets.token_urlsafe(32)
        request._comment_browser_id = browser_id
    return keyed_token("comment-browser", browser_id)


def set_browser_cookie(request, response):
    """Give the browser its id (or renew it) after a comment was posted from it.

    Only the comment POST sets it: reader pages neither read nor set it, so they stay the same
    for every reader and cacheable.
    """
    browser_id = getattr(request, "_comment_browser_id", None)
    if browser_id is None:
        return
    response.set_cookie(
        BROWSER_COOKIE,
        browser_id,
        max_age=BROWSER_MAX_AGE,
        httponly=True,
        secure=request.is_secure(),
        samesite="Lax",
    )


# The proof cookie --------------------------------------------------------------------------


def proven_ids(request):
    value = request.get_signed_cookie(
        PROOF_COOKIE, default="", salt=PROOF_SALT, max_age=PROOF_MAX_AGE
    )
    return {int(part) for part in value.split(",") if part.isdigit()}


def browser_proves(request, address):
    """Whether this browser holds the proof cookie for `address`.

    Without a proof cookie nothing is read; with one, the address is read once for the whole
    request (`commenter_address`), so the moderation rules reuse the row.
    """
    ids = proven_ids(request)
    if not ids or not address:
        return False
    known = commenter_address(request, address)
    return known is not None and known.pk in ids


def commenter_address(request, address):
    """The CommenterAddress of `address` (`moderation.known_address`), or None: read at most
    once per request and address, whoever asks (the proof check, the trusted-commenters rule)."""
    email_digest = digest(address)
    read = request.__dict__.setdefault("_commenter_addresses", {})
    if email_digest not in read:
        read[email_digest] = moderation.known_address(email_digest)
    return read[email_digest]


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

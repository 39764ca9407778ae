"""Reading back the signed links mailed to commenters: the one place a link's token is decoded.

Every link Byline mails a commenter (confirm the address: verification.py; manage my
comments and unsubscribe: selfservice.py) is a django.core.signing value under a salt of its
own, naming a CommenterAddress by its id (never the address, nor its digest). `read` checks the
signature (and its age), `address_named` finds the address the value names; either raises the
one `InvalidLink`, whose message tells the reader in plain words why the link does not work.
Each kind of link words its own messages.
"""

from django.core import signing

from ..models import CommenterAddress


class InvalidLink(Exception):
    """A link was altered, has expired, was used up, or names an address Byline no longer holds.

    `message` is shown to the reader; `title` heads the page when it says more than the page's
    own heading (None: the page's default).
    """

    def __init__(self, message, title=None):
        super().__init__(message)
        self.message = message
        self.title = title


def read(token, *, salt, max_age=None, expired, altered):
    """The value signed into `token` under `salt`, at most `max_age` old (seconds or timedelta;
    None: any age). InvalidLink with the `expired` or `altered` message otherwise."""
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise InvalidLink(expired) from error
    except signing.BadSignature as error:
        raise InvalidLink(altered) from error


def address_named(value, key, *, erased):
    """The CommenterAddress whose id the link's `value` holds under `key`; InvalidLink with the
    `erased` message when it names none Byline still holds."""
    pk = value.get(key) if isinstance(value, dict) else None
    address = CommenterAddress.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if address is None:
        raise InvalidLink(erased)
    return address

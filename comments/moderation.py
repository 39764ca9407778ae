"""Moderation rules for reader comments.

Three questions live here, kept apart as in django-contrib-comments:

- may a comment be posted at all (`comments_open`, `flood_wait`): a "no" is answered to the
  reader and nothing is stored. A posting that repeats one already stored (`repeated_comment`)
  is not refused but answered as the stored one was, and not stored twice (`receive`);
- what happens to a comment when it arrives (`review`): ordered rules, each explaining itself.
  The outcome is recorded on the comment: its status, the reasons shown to moderators in
  `held_reason` ("held: 3 links, limit 2") and the deciding rule's code in `moderation_rule`
  (the queue filters on it);
- what a moderator's decision does (`moderate`).

Views and admin actions call these functions rather than setting statuses themselves. The rules
read the discussion settings staff edit in the admin (`DiscussionSettings`), once per request
(`discussion_settings`).

No answer to a posting may depend on whether Byline knows the address typed (issue 10): what
the reader is told follows from the form, their browser (the proof cookie, the form they were
served) and the rules' outcome, and spam is thanked like a held comment, never from a lookup of
the address alone. Only staff who may moderate (`permissions.can_moderate`) post as staff.
"""

import datetime
import functools
import hashlib
import ipaddress
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from . import signals
from .commenters.privacy import digest
from .models import Comment, CommenterAddress, DiscussionSettings

HOLD_FOR_REVIEW = "held: every comment is reviewed before it appears"

#: The codes stored in `Comment.moderation_rule`, with what each means to a moderator.
RULES = {
    "staff": "Written by staff",
    "trusted": "Trusted commenter",
    "approve_all": "Approve every comment",
    "hold_all": "Hold every comment",
    "first_comment": "First comment from the address",
    "unconfirmed": "Address not confirmed",
    "distrusted": "Address marked as spam before",
    "unproven": "Trusted address, not proven",
    "links": "Too many links",
    "moderation_word": "Moderation word",
    "disallowed_word": "Disallowed word",
    "disallowed_ip": "Disallowed IP",
    "disallowed_address": "Disallowed address",
    "honeypot": "Hidden field filled in",
    "too_fast": "Posted too fast",
    "spam_service": "Spam service",
    "spam_service_down": "Spam service unavailable",
}

#: Holds that only say "we do not know this commenter yet": confirming the address lifts them,
#: once the address is trusted, for the comments posted from the confirming browser
#: (`release_identity_holds`).
IDENTITY_HOLDS = {"unconfirmed", "unproven"}

LINK_PATTERN = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"']+", re.IGNORECASE)


def discussion_settings(request=None):
    """The discussion settings, read from the database once per request."""
    if request is None:
        return DiscussionSettings.current()
    cached = getattr(request, "_discussion_settings", None)
    if cached is None:
        cached = request._discussion_settings = DiscussionSettings.current()
    return cached


# Whether a comment may be posted -----------------------------------------------------------


def comments_open(article, rules=None):
    """Whether readers may post on `article` now.

    Closed when the article says so, or `close_after_days` after publication: the article's own
    `comments_close_after_days` if set, else the discussion settings'.
    """
    if not article.comments_open:
        return False
    days = article.comments_close_after_days
    if days is None:
        days = (rules or DiscussionSettings.current()).close_after_days
    if days is None or article.published_at is None:
        return True
    return timezone.now() < article.published_at + datetime.timedelta(days=days)


def flood_network(ip_address):
    """What the per-IP flood counter counts under: the address itself for IPv4, its /64 for IPv6.

    One IPv6 subscriber (a home line, a server) usually holds a whole /64 and can use any of
    its 2^64 addresses, so counting each address alone would limit nothing. IPv4 addresses
    mapped into IPv6 (`::ffff:203.0.113.7`, from a dual-stack socket) count as themselves.
    """
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:
        return ip_address
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


def flood_wait(ip_address, address, rules, *, address_proven=False):
    """Count one posting from this IP and address; return the seconds to wait if over a limit.

    Every posting counts, refused ones too (a form with errors): otherwise an invalid form
    would probe for free. The IP is counted first (IPv6 per /64, `flood_network`), and a
    posting its limit refuses stops there, uncounted against the address: one IP cannot use up
    an address's hour faster than its own limit lets it post. The address is counted next,
    when the form holds a valid one (`address`, else None), unless this browser proves it
    (`address_proven`: its proof cookie, comments/commenters/verification.py). Anyone may type an
    address, so postings from other browsers, from many IPs, can use up its hour unseen (a refused
    form stores nothing); its owner's browser is not locked out by them, and is still limited per
    IP. Whether Byline knows the address plays no part in the answer.

    Counters live in the configured cache, one per fixed window (a minute per IP, an hour per
    address), incremented atomically so concurrent requests cannot both slip under the limit.
    A limit of 0 turns its counter off. Returns 0 when the posting may go ahead.

    While the cache is unreachable the limits fail open: the Redis backend (config/cache.py)
    answers `incr` as for a missing key, so each posting counts as the first of its window.
    Posting keeps working through a cache outage, with every other rule still applied.
    """
    now = time.time()
    limits = []
    if ip_address and rules.comments_per_ip_per_minute:
        network = flood_network(ip_address)
        limits.append(("ip", network, 60, rules.comments_per_ip_per_minute))
    if address and not address_proven and rules.comments_per_address_per_hour:
        limits.append(("address", digest(address), 3600, rules.comments_per_address_per_hour))
    for kind, key, window, limit in limits:
        wait = _count_posting(f"comments:flood:{kind}:{key}", window, limit, now)
        if wait:
            return wait
    return 0


def _count_posting(counter, window, limit, now):
    """Count one posting in the current `window` of `counter`; the seconds to wait when that
    makes more than `limit`, else 0.

    A cache that can count in one step (the Redis cache's `count_in_window`, config/cache.py:
    one round trip) does; any other is asked to `add` the counter, then to `incr` it.
    """
    bucket = int(now // window)
    cache_key = f"{counter}:{bucket}"
    count_in_window = getattr(cache, "count_in_window", None)
    try:
        if count_in_window is not None:
            count = count_in_window(cache_key, window + 5)
        else:
            cache.add(cache_key, 0, timeout=window + 5)
            count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr, or the cache is down: start again
        cache.add(cache_key, 1, timeout=window + 5)
        count = 1
    if count > limit:
        return int((bucket + 1) * window - now) + 1
    return 0


def submission_key(form_token, body):
    """What identifies one posting of one text from one served form (stored with the comment).

    The same page posted again (a double-click, a reload that re-sends the form, going back and
    sending it again, a retry after a timeout) gives the same key. Every page load is served a
    token of its own (forms.form_token), so another reader never shares it.
    """
    return hashlib.sha256(f"{form_token}\n{body}".encode()).hexdigest()


def repeated_comment(submission, rules, *, by_key=True):
    """The stored comment this posting repeats, or None.

    A repeat is the same served form posted again with the same text (`submission_key`), or,
    from the browser that proved the address (its proof cookie), the same text by that address
    on the same article within `duplicate_window_minutes`, still published or waiting. Neither
    can be triggered by someone who only knows or guesses an address: a test on the address and
    text alone would tell a stranger copying a public comment under its author's address
    "already posted" (issue 10). Without `by_key`, only the second is looked for (`receive`
    lets the unique submission key find the first as the comment is stored).
    """
    comment = submission.comment
    if by_key and comment.submission_key:
        earlier = Comment.objects.filter(
            article=comment.article, submission_key=comment.submission_key
        ).first()
        if earlier is not None:
            return earlier
    if submission.address_proven:
        since = timezone.now() - datetime.timedelta(minutes=rules.duplicate_window_minutes)
        return (
            Comment.objects.from_address(comment.email)
            .filter(article=comment.article, body=comment.body, created_at__gte=since)
            .filter(status__in=[Comment.Status.APPROVED, Comment.Status.PENDING])
            .order_by("-created_at", "-pk")
            .first()
        )
    return None


# What happens to a comment when it arrives -------------------------------------------------


@dataclass
class Submission:
    """A new comment (not yet saved) and what the request says about it."""

    comment: Comment
    #: The browser holds the proof cookie for this address (comments/commenters/verification.py).
    address_proven: bool = False
    #: Seconds between the form being served and posted (None: not measured).
    seconds_to_post: float | None = None
    honeypot_filled: bool = False
    #: The request's details for the external spam check (referrer, page URL).
    referrer: str = ""
    permalink: str = ""
    #: Reads what Byline knows of the address (`known_address`). The view passes one that shares
    #: the read with the proof check (verification.commenter_address); by default it is read
    #: here, at most once, and only when a rule asks (`Submission.known_address`).
    address_lookup: Callable | None = field(default=None, repr=False)

    @functools.cached_property
    def known_address(self):
        """The address's CommenterAddress (`known_address`), or None when Byline does not know
        it: read once per posting, whichever rules ask."""
        if self.address_lookup is not None:
            return self.address_lookup()
        return known_address(digest(self.comment.email))


@dataclass(frozen=True)
class Finding:
    status: str
    reason: str
    rule: str


@dataclass
class Decision:
    """What the rules decided: a status, why (every reason of that severity), and the rule."""

    status: str
    reasons: list = field(default_factory=list)
    rule: str = ""

    @property
    def held_reason(self):
        return "; ".join(self.reasons)[:500]


SPAM = Comment.Status.SPAM
HELD = Comment.Status.PENDING
APPROVED = Comment.Status.APPROVED


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def word_pattern(word):
    """Case-insensitive, whole words: 'ass' matches 'ass' but not 'class'."""
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)


def _matched_word(words, comment):
    texts = [comment.body, comment.name, comment.website, comment.user_agent or ""]
    for word in _lines(words):
        pattern = word_pattern(word)
        if any(pattern.search(text or "") for text in texts):
            return word
    return None


def count_links(text):
    return len(LINK_PATTERN.findall(text or ""))


def ip_disallowed(ip, networks_text):
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for line in _lines(networks_text):
        try:
            network = ipaddress.ip_network(line, strict=False)
        except ValueError:
            continue
        if address.version == network.version and address in network:
            return True
    return False


def rule_honeypot(submission, rules):
    if submission.honeypot_filled:
        return Finding(SPAM, "spam: filled in the field people cannot see", "honeypot")


def rule_too_fast(submission, rules):
    seconds = submission.seconds_to_post
    if seconds is not None and seconds < rules.min_seconds_to_post:
        return Finding(
            SPAM, f"spam: posted {max(seconds, 0):.1f} s after the page loaded", "too_fast"
        )


def rule_disallowed_ip(submission, rules):
    if ip_disallowed(submission.comment.ip_address, rules.disallowed_ips):
        return Finding(SPAM, "spam: IP on the disallowed list", "disallowed_ip")


def rule_disallowed_address(submission, rules):
    if submission.comment.email_digest in set(rules.disallowed_email_digests or ()):
        return Finding(SPAM, "spam: address on the disallowed list", "disallowed_address")


def rule_disallowed_word(submission, rules):
    word = _matched_word(rules.disallowed_words, submission.comment)
    if word:
        return Finding(SPAM, f"spam: matched disallowed word '{word}'", "disallowed_word")


def rule_links(submission, rules):
    links = count_links(submission.comment.body) + count_links(submission.comment.name)
    if links > rules.max_links:
        return Finding(HELD, f"held: {links} links, limit {rules.max_links}", "links")


def rule_moderation_word(submission, rules):
    word = _matched_word(rules.moderation_words, submission.comment)
    if word:
        return Finding(HELD, f"held: matched moderation word '{word}'", "moderation_word")


def rule_spam_service(submission, rules):
    from . import spam

    if not rules.spam_check_enabled:
        return None
    backend = spam.get_backend()
    if backend is None:
        return None
    try:
        is_spam = backend.check(submission)
    except spam.SpamServiceUnavailable:
        return Finding(HELD, "held: spam service unavailable", "spam_service_down")
    if is_spam:
        return Finding(SPAM, "spam: the spam service says so", "spam_service")


def rule_mode(submission, rules):
    mode = rules.mode
    if mode == DiscussionSettings.Mode.HOLD_ALL:
        return Finding(HELD, HOLD_FOR_REVIEW, "hold_all")
    if mode == DiscussionSettings.Mode.APPROVE_ALL:
        return Finding(APPROVED, "approved: every comment is approved", "approve_all")
    return trust_finding(
        submission.comment.email_digest, submission.address_proven, submission.known_address
    )


def known_address(email_digest):
    """The CommenterAddress whose digest is `email_digest`, or None when Byline does not know it.

    Read with `holds_approved` (whether an approved comment is stored under the address) in the
    same query, since a new comment's trust rule asks both (`why_not_trusted`): one query for a
    known address, whatever the number of its comments.
    """
    if not email_digest:
        return None
    approved = Comment.objects.approved().filter(email_digest=OuterRef("email_digest"))
    return (
        CommenterAddress.objects.filter(email_digest=email_digest)
        .annotate(holds_approved=Exists(approved))
        .first()
    )


def why_not_trusted(email_digest, known):
    """Why the address is not trusted, as a hold `Finding`; None when it is trusted.

    The one statement of "an address is trusted": it is verified (its owner clicked a
    confirmation link), holds an approved comment, and is not distrusted (no comment from it
    marked as spam since). A new comment's rule (`trust_finding`) and confirming an address
    (`is_trusted`) both ask it. `known` is the address's CommenterAddress, or None when Byline
    does not know it (`email_digest` is its digest either way); read by `known_address`, it
    already says whether the address holds an approved comment (`holds_approved`), else that
    is asked here.
    """
    if known is not None and known.distrusted_at is not None:
        return Finding(HELD, "held: a comment from this address was marked as spam", "distrusted")
    holds_approved = getattr(known, "holds_approved", None)
    if holds_approved is None:
        holds_approved = Comment.objects.approved().filter(email_digest=email_digest).exists()
    if not holds_approved:
        return Finding(HELD, "held: first comment from this address", "first_comment")
    if known is None or known.verified_at is None:
        return Finding(HELD, "held: address not confirmed yet", "unconfirmed")
    return None


def is_trusted(commenter_address):
    """Whether the address is trusted (`why_not_trusted`)."""
    return why_not_trusted(commenter_address.email_digest, commenter_address) is None


_UNREAD = object()


def trust_finding(email_digest, address_proven, known=_UNREAD):
    """The trusted-commenters rule for one address.

    Unlike WordPress, typing a known address is not enough: the address must be trusted
    (`why_not_trusted`), and this browser must prove it (the proof cookie set when the link
    was clicked here). Anyone else typing a regular's address is held. `known` is the address
    as `known_address` read it, when the caller has it.
    """
    if known is _UNREAD:
        known = known_address(email_digest)
    untrusted = why_not_trusted(email_digest, known)
    if untrusted is not None:
        return untrusted
    if not address_proven:
        return Finding(HELD, "held: unverified comment under a trusted address", "unproven")
    return Finding(APPROVED, "approved: trusted commenter", "trusted")


#: Run in this order. Spam rules come first; the external check only runs when nothing local
#: already decided spam; the mode rule last.
SPAM_RULES = [
    rule_honeypot,
    rule_too_fast,
    rule_disallowed_ip,
    rule_disallowed_address,
    rule_disallowed_word,
]
HOLD_RULES = [rule_links, rule_moderation_word]


def staff_reply_decision():
    """Staff replies are approved, whatever the rules: the one place that says so.

    A comment written by a member of staff (`Comment.is_staff_reply`) speaks for the
    publication. The reader's form (`review`), the moderation queue's reply
    (staff_replies.reply_as_staff) and comments written outside both (`initial_status`) all
    record this decision.
    """
    return Decision(APPROVED, ["approved: written by staff"], "staff")


def review(submission, rules):
    """Run the rules on a new comment and return the `Decision`.

    The first spam finding decides spam. Otherwise every hold is collected (a moderator sees
    all the reasons at once), and with no hold the mode decides. Staff comments are approved.
    """
    comment = submission.comment
    comment.email_digest = digest(comment.email)
    if comment.is_staff_reply:
        return staff_reply_decision()
    for rule in SPAM_RULES:
        finding = rule(submission, rules)
        if finding:
            return Decision(SPAM, [finding.reason], finding.rule)
    holds = [finding for rule in HOLD_RULES if (finding := rule(submission, rules))]
    service = rule_spam_service(submission, rules)
    if service and service.status == SPAM:
        return Decision(SPAM, [service.reason], service.rule)
    if service:
        holds.append(service)
    mode = rule_mode(submission, rules)
    if mode.status == HELD:
        holds.append(mode)
    if holds:
        return Decision(HELD, [finding.reason for finding in holds], holds[0].rule)
    return Decision(APPROVED, [mode.reason], mode.rule)


def record_decision(decision, comment):
    """Record the decision on the (unsaved) comment."""
    comment.status = decision.status
    comment.held_reason = decision.held_reason
    comment.moderation_rule = decision.rule


def record_commenter(comment):
    """Make sure the address of a stored, non-spam comment is known (CommenterAddress), and
    return it (None for spam or a comment without an address)."""
    if comment.status == SPAM or not comment.email_digest:
        return None
    known = CommenterAddress.objects.filter(email_digest=comment.email_digest).first()
    if known is None:
        try:
            with transaction.atomic():
                known = CommenterAddress.objects.create(email=comment.email)
        except IntegrityError:  # a concurrent first comment created it
            known = CommenterAddress.objects.get(email_digest=comment.email_digest)
    return known


def note_commenter(comment, known=None):
    """Make sure the address of a new, non-spam comment is known, without reading it back.

    `known` is the address's CommenterAddress when the posting already read it
    (`Submission.known_address`): then nothing is written. Otherwise one INSERT that does
    nothing when the address is already stored (ON CONFLICT DO NOTHING, which also settles a
    concurrent first comment from the same address without an error or a savepoint), instead
    of `record_commenter`'s read, savepoint and insert.
    """
    if comment.status == SPAM or not comment.email_digest or known is not None:
        return
    address = CommenterAddress(email=comment.email, email_digest=comment.email_digest)
    CommenterAddress.objects.bulk_create([address], ignore_conflicts=True)


def announce(comment):
    """Send `comment_received` (and `comment_approved` when approved on arrival) on commit."""

    def send():
        signals.comment_received.send(sender=Comment, comment=comment)
        if comment.status == APPROVED:
            signals.comment_approved.send(sender=Comment, comment=comment)

    transaction.on_commit(send, robust=True)


def receive(submission, rules):
    """Review and store a new comment; return the comment the reader's posting stands for.

    That is the new comment, or the stored one it repeats (`repeated_comment`): then nothing
    is stored or announced again, and the reader is answered as for the stored one.

    The same form posted again is found by the unique submission key as the comment is stored
    (its INSERT fails, the transaction is rolled back, the stored one is read): almost no
    posting is a repeat, so none is read for it first. So does a twin arriving at the same
    moment. A repeat's text is then reviewed again in memory, with nothing kept; but with the
    external spam service on, repeats are looked for first, so that it is asked once per
    posting. A comment from a browser proving its address is drawn with the address's avatar;
    any other with one of its own (comments/commenters/avatars.py).
    """
    earlier = repeated_comment(submission, rules, by_key=rules.spam_check_enabled)
    if earlier is not None:
        return earlier
    comment = submission.comment
    record_decision(review(submission, rules), comment)
    if submission.address_proven:
        comment.draw_address_avatar()
    # Known, when a rule or the proof check already read it; never read just for this.
    known = submission.__dict__.get("known_address")
    try:
        with transaction.atomic():
            comment.save()
            note_commenter(comment, known)
            announce(comment)
    except IntegrityError:
        earlier = repeated_comment(submission, rules)
        if earlier is None:
            raise
        return earlier
    return comment


def identity_holds(commenter_address):
    """The address's comments held only because it was not yet confirmed or proven."""
    return (
        Comment.objects.pending()
        .from_address(commenter_address)
        .filter(moderation_rule__in=IDENTITY_HOLDS)
    )


def release_identity_holds(commenter_address, browser_digest, rules=None):
    """Approve the comments held only for lack of confirmation that the confirming browser
    posted (its `browser_digest`).

    Called when the address's owner confirms it. Anyone may type an address, so confirming
    never publishes what other browsers wrote under it: those stay held, with their reasons,
    for a moderator. The approved comments are drawn with the address's avatar (their owner
    wrote them; comments/commenters/avatars.py). Returns the approved comments (and sends
    `comment_approved` for each on commit).
    """
    rules = rules or DiscussionSettings.current()
    if (
        not browser_digest
        or rules.mode != DiscussionSettings.Mode.TRUSTED
        or not is_trusted(commenter_address)
    ):
        return []
    approved = []
    with transaction.atomic():
        # Locked, so that a moderator's decision made meanwhile is not overwritten.
        held = identity_holds(commenter_address).filter(browser_digest=browser_digest)
        for comment in held.select_for_update().order_by("pk"):
            comment.approve(
                rule="trusted", reason="approved: trusted commenter (address confirmed)"
            )
            approved.append(comment)
            transaction.on_commit(
                partial(signals.comment_approved.send, sender=Comment, comment=comment),
                robust=True,
            )
    return approved


def initial_status(comment):
    """`(status, reason)` for a comment written outside the reader's form (a staff reply)."""
    if comment.is_staff_reply:
        decision = staff_reply_decision()
        return decision.status, decision.held_reason
    return HELD, HOLD_FOR_REVIEW


# What a moderator's decision does ---------------------------------------------------------

#: What applies each decision a moderator may make: the status decided, and the Comment method
#: that sets it.
DECISION_METHODS = {
    Comment.Status.APPROVED: Comment.approve,
    Comment.Status.SPAM: Comment.mark_spam,
    Comment.Status.REMOVED: Comment.remove,
}


def moderate(comments, decision, moderator):
    """Apply a moderator's decision to each comment; return those whose status changed.

    The comments are locked and read again in one transaction (`select_for_update`, in id
    order so that two moderators' batches cannot deadlock): when moderators decide on the same
    comment at once, or a comment is deleted meanwhile, each change happens, is logged and is
    announced once. Marking spam distrusts the address (`distrust_addresses`); approving
    sends `comment_approved` once the transaction has committed, and approving a comment
    marked as spam by mistake trusts its address again (`forgive_addresses`).
    """
    apply = DECISION_METHODS[decision]
    ids = [comment.pk for comment in comments]
    changed, unspammed = [], []
    with transaction.atomic():
        for comment in Comment.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
            if comment.status == decision:
                continue
            if comment.status == Comment.Status.SPAM:
                unspammed.append(comment)
            apply(comment, by=moderator)
            changed.append(comment)
        if decision == Comment.Status.SPAM:
            distrust_addresses(changed)
        if decision == Comment.Status.APPROVED:
            forgive_addresses(unspammed)
            for comment in changed:
                transaction.on_commit(
                    partial(signals.comment_approved.send, sender=Comment, comment=comment),
                    robust=True,
                )
    return changed


def distrust_addresses(comments):
    """Marking spam teaches the trusted-commenters rule: the address is no longer trusted.

    Sets `CommenterAddress.distrusted_at` for each comment's address (found by its digest),
    recording the address first if Byline did not know it yet: once per address, however many
    of its comments were marked.
    """
    now = timezone.now()
    addresses = {}  # digest: the address as its first comment typed it
    for comment in comments:
        if comment.email_digest:
            addresses.setdefault(comment.email_digest, comment.email)
    for email_digest, email in addresses.items():
        CommenterAddress(email=email, email_digest=email_digest).distrust(now)


def forgive_addresses(comments):
    """A comment a moderator approves after all (spam by mistake) makes its address trusted
    again, unless another comment from it is still marked as spam."""
    digests = {comment.email_digest for comment in comments if comment.email_digest}
    if not digests:
        return
    still_spam = set(
        Comment.objects.filter(email_digest__in=digests, status=Comment.Status.SPAM).values_list(
            "email_digest", flat=True
        )
    )
    if digests - still_spam:
        CommenterAddress.objects.filter(email_digest__in=digests - still_spam).update(
            distrusted_at=None
        )

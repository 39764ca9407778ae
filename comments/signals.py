"""Signals sent as a comment moves through moderation.

The moderation code sends them; notifications (and anything else that reacts to a comment)
connect receivers, so the rules and the queue never import the code that sends email.
Each signal is sent with `sender=Comment` and `comment=<the comment>`, after the comment's
transaction has committed (`transaction.on_commit`), so receivers see stored data.
"""

from django.dispatch import Signal

#: A new comment was stored, whatever its status (approved, pending or spam).
comment_received = Signal()

#: A comment became approved: on arrival by the rules, or later by a moderator.
comment_approved = Signal()

#: A commenter confirmed their address through the signed link
#: (comments/commenters/verification.py); sent with `sender=CommenterAddress` and
#: `commenter_address=...`, after commit.
address_confirmed = Signal()

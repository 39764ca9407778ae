"""Handing a message to the mail server without letting a failure carry an address.

Messages go out from background tasks. When a task fails, django-tasks logs its exception with
the traceback, and the database task backend stores that traceback in its table, which the
admin shows. The mail server's refusal as Django raises it holds the recipient's address
(`SMTPRecipientsRefused({'reader@…': (550, b'5.1.1 <reader@…>: …')})`), so `deliver` replaces
any error raised while sending by `MailNotSent`, whose text names only the rows the message was
for, the error's class and the SMTP reply codes. It is raised outside the `except` block that
caught the original, so no chained traceback brings the original back.
"""

import smtplib


class MailNotSent(Exception):
    """A message could not be sent. Says for which rows, and why, without an address."""


def recipients_label(recipients):
    """`comments.CommenterAddress 12`, or several such, for model instances; a string as is."""
    if isinstance(recipients, str):
        return recipients
    return ", ".join(f"{row._meta.label} {row.pk}" for row in recipients)


def smtp_codes(error):
    """The SMTP reply codes an error carries: numbers, never the server's text, which may
    repeat the address."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return sorted({code for code, _text in error.recipients.values()})
    if isinstance(error, smtplib.SMTPResponseException):
        return [error.smtp_code]
    return []


def failure(error, recipients):
    codes = smtp_codes(error)
    reason = type(error).__name__ + (f" ({', '.join(map(str, codes))})" if codes else "")
    return MailNotSent(f"Mail for {recipients_label(recipients)} not sent: {reason}")


def deliver(message, recipients):
    """Send `message` (an `EmailMessage`); on any failure raise `MailNotSent` naming
    `recipients`: the model instances it was for, or a string saying who without an address."""
    try:
        message.send()
    except Exception as error:  # whatever the backend raised may hold the address
        not_sent = failure(error, recipients)
    else:
        return
    raise not_sent

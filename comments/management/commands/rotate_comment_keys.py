"""Re-encrypt every stored commenter address under the newest key in COMMENT_EMAIL_KEYS.

Rotation: put the new key first in COMMENT_EMAIL_KEYS (keeping the old one after it), deploy,
run this command, then drop the old key. Digests are not touched: they use
COMMENT_EMAIL_HMAC_KEY, which this does not rotate.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from comments.commenters.privacy import EncryptedEmailField, UnreadableAddress, reencrypt


def encrypted_columns():
    """(model, column) for every EncryptedEmailField in the project."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedEmailField):
                yield model, field.column


class Command(BaseCommand):
    help = "Re-encrypt commenters' addresses under the newest key in COMMENT_EMAIL_KEYS."

    def handle(self, *args, **options):
        rotated = 0
        unreadable = []
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            for model, column in encrypted_columns():
                table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
                cursor.execute(f"SELECT {pk}, {quote(column)} FROM {table}")  # noqa: S608
                for row_pk, token in cursor.fetchall():
                    if not token:
                        continue
                    try:
                        new_token = reencrypt(token)
                    except UnreadableAddress:
                        unreadable.append(f"{model._meta.label} #{row_pk}")
                        continue
                    cursor.execute(
                        f"UPDATE {table} SET {quote(column)} = %s WHERE {pk} = %s",  # noqa: S608
                        [new_token, row_pk],
                    )
                    rotated += 1
            if unreadable:
                raise CommandError(
                    "No configured key decrypts these addresses, so nothing was changed: "
                    + ", ".join(unreadable)
                    + ". Put the key they were written with back in COMMENT_EMAIL_KEYS."
                )
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {rotated} address(es)."))

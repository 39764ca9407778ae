"""Export or erase everything stored for one commenter's address
(comments/commenters/personal_data.py).

manage.py commenter_data export --email reader@example.org [--output data.json]
manage.py commenter_data erase --email reader@example.org [--yes]
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from comments.commenters import personal_data


class Command(BaseCommand):
    help = "Export (as JSON) or erase everything stored for a commenter's address."

    def add_arguments(self, parser):
        parser.add_argument("operation", choices=["export", "erase"])
        parser.add_argument("--email", required=True, help="The commenter's address.")
        parser.add_argument("--output", help="Write the export to this file, not stdout.")
        parser.add_argument(
            "--yes", action="store_true", help="Erase without asking for confirmation."
        )

    def handle(self, operation, email, output=None, yes=False, **options):
        try:
            validate_email(email.strip())
        except ValidationError as error:
            raise CommandError(f"Not an email address: {email!r}") from error
        email = email.strip()
        if operation == "export":
            text = json.dumps(personal_data.export(email), indent=2, ensure_ascii=False)
            if output:
                with open(output, "w", encoding="utf-8") as file:
                    file.write(text + "\n")
                self.stderr.write(f"Wrote {output}.")
            else:
                self.stdout.write(text)
            return
        count = personal_data.comment_count(email)
        if not yes and options.get("interactive", True):
            answer = input(
                f"Erase the data of this address ({count} comment{'s' if count != 1 else ''})? "
                f"{personal_data.ERASURE_RULE}\nType 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Erasure cancelled.")
        result = personal_data.erase(email)
        self.stdout.write(
            f"{result['anonymised']} comment(s) anonymised, {result['deleted']} deleted; "
            + ("address record deleted." if result["address_deleted"] else "no address record.")
        )

"""Create a staff member or panel member with a role, or change an existing user's role.

For operators: the first superuser comes from Django's `createsuperuser`; everyone else
can be added here (or in the admin, Users → Add). The password is asked for twice, or
read from PORTAL_USER_PASSWORD with --noinput, and checked by the password validators.
"""

import getpass
import os
import sys

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal import roles
from portal.models import User

PASSWORD_VARIABLE = "PORTAL_USER_PASSWORD"
STAFF_ROLES = (roles.EDITORS, roles.REVIEWERS)


class Command(BaseCommand):
    help = "Create a user with a role (Editors, Reviewers, Panel members), or change a user's role."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            required=True,
            choices=roles.ROLES,
            help="Editors and Reviewers sign in to the staff admin; Panel members read restricted reports.",
        )
        parser.add_argument("--email", default="", help="Where workflow notifications are sent.")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Do not prompt; a new user's password comes from {PASSWORD_VARIABLE}.",
        )

    def handle(self, *args, username, role, email, first_name, last_name, interactive, **options):
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User(username=username)
        for field, value in (("email", email), ("first_name", first_name), ("last_name", last_name)):
            if value:
                setattr(user, field, value)
        user.is_staff = role in STAFF_ROLES or user.is_superuser
        if created:
            user.set_password(self._password(user, interactive))
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {username!r} with the role {role}.")

    def _password(self, user, interactive: bool) -> str:
        if not interactive:
            password = os.environ.get(PASSWORD_VARIABLE, "")
            if not password:
                raise CommandError(f"--noinput needs the new user's password in {PASSWORD_VARIABLE}.")
            return self._validated(password, user)
        if not sys.stdin.isatty():
            raise CommandError(
                f"No terminal to ask for {user.username}'s password: run it with --noinput "
                f"and the password in {PASSWORD_VARIABLE}."
            )
        while True:
            password = getpass.getpass(f"Password for {user.username}: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The two passwords differ; try again.")
                continue
            try:
                return self._validated(password, user)
            except CommandError as exc:
                self.stderr.write(str(exc))

    @staticmethod
    def _validated(password: str, user) -> str:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("The password was refused: " + " ".join(exc.messages)) from exc
        return password

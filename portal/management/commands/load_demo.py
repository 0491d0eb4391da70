"""Load the demo: one account per role and the 2018/19 report, through the real code paths.

Safe to run twice. Refuses to create demo accounts when DEBUG is off, because their
passwords are printed and published in the README.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from portal import roles
from portal.models import User

DEMO_ACCOUNTS = [
    # username, password, role, first name, last name
    ("editor", "demo-editor-2019", roles.EDITORS, "Demo", "Editor"),
    ("reviewer", "demo-reviewer-2019", roles.REVIEWERS, "Demo", "Reviewer"),
    ("panel", "demo-panel-2019", roles.PANEL_MEMBERS, "Demo", "Panel member"),
    ("admin", "demo-admin-2019", None, "Demo", "Administrator"),
]
REFUSED_WITHOUT_DEBUG = (
    "load_demo creates accounts with published passwords, so it only runs with DEBUG on."
)


def ensure_demo_accounts() -> dict[str, User]:
    users = {}
    for username, password, role, first, last in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.invalid"},
        )
        user.is_staff = role in (roles.EDITORS, roles.REVIEWERS) or role is None
        user.is_superuser = role is None
        user.set_password(password)
        user.save()
        if role:
            user.groups.set([Group.objects.get(name=role)])
        users[username] = user
    return users


class Command(BaseCommand):
    help = "Load demo accounts and the 2018/19 performance report (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(REFUSED_WITHOUT_DEBUG)
        users = ensure_demo_accounts()
        from reports.demo import load_demo_report

        report_url = load_demo_report(editor=users["editor"], reviewer=users["reviewer"], out=self.stdout)
        self.stdout.write(self.style.SUCCESS("\nDemo ready at http://127.0.0.1:8000/"))
        if report_url:
            self.stdout.write(f"The 2018/19 report: http://127.0.0.1:8000{report_url}")
        self.stdout.write("\nDemo accounts (username / password – role):")
        for username, password, role, *_ in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<9} / {password:<20} – {role or 'Administrator (superuser)'}")
        self.stdout.write(
            "\nThe demo signs in with a password alone. In production (DEBUG off) staff, editors,"
            "\nreviewers and administrators must also give a code from an authenticator app."
        )

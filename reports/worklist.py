"""What is waiting for a member of staff: the admin home's "Waiting for you" panel.

Reviewers: reports in review that they may decide (not ones they wrote, edited or
submitted). Editors: their drafts a reviewer sent back, and panel members' questions with
no answer yet. A fixed number of queries whatever the numbers of reports.
"""

from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery

from .models import Feedback, Report, Review

LIMIT = 10


@dataclass
class Worklist:
    to_review: list = field(default_factory=list)
    sent_back: list = field(default_factory=list)
    questions: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.to_review or self.sent_back or self.questions)


def _authored_by(user) -> Q:
    return Q(created_by=user) | Q(submitted_by=user) | Q(contributors=user)


def waiting_for(user) -> Worklist:
    work = Worklist()
    if not (user.is_authenticated and user.is_staff):
        return work
    if user.has_perm("reports.review_report"):
        in_review = Report.objects.filter(status=Report.Status.IN_REVIEW)
        work.to_review = list(in_review.exclude(_authored_by(user)).distinct().order_by("updated_at")[:LIMIT])
    if user.has_perm("reports.change_report"):
        reviews = Review.objects.filter(report=OuterRef("pk"))
        last_action = reviews.order_by("-created_at", "-pk").values("action")
        sent_back = (
            Report.objects.filter(status=Report.Status.DRAFT)
            .filter(_authored_by(user))
            .annotate(last_action=Subquery(last_action[:1]))
            .filter(last_action=Review.Action.REQUEST_CHANGES)
            .distinct()
            .order_by("-updated_at")
        )
        work.sent_back = list(sent_back[:LIMIT])
    if user.has_perm("reports.change_feedback"):
        unanswered = Feedback.objects.filter(answer="").select_related("publication__report", "author")
        work.questions = list(unanswered.order_by("created_at")[:LIMIT])
    return work

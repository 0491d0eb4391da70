"""Panel members' comments and questions on a published version, and staff's answers.

A member may tie a comment to one numbered paragraph or one KPI of the version they are
reading; the choices come from that version's frozen snapshot, so they always match
what the member sees.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import Truncator

from . import access, notifications
from .models import Feedback, Publication

TEXT_MAX_LENGTH = 4000
TEXT_REQUIRED = "Enter your comment or question."
TEXT_TOO_LONG = "Your comment must be 4,000 characters or fewer (it has %(length)d)."
ABOUT_UNKNOWN = "Choose a paragraph or KPI from the list."
CANNOT_LEAVE_FEEDBACK = "You cannot leave feedback on this version."
ANSWER_REQUIRED = "Enter an answer."
CANNOT_ANSWER = "You cannot answer feedback."
WHOLE_REPORT = "The whole report"


def feedback_subjects(snapshot: dict) -> list[tuple[str, str, str]]:
    """What a comment may be about: (value stored in Feedback.about, label, anchor in the page).

    Stored values say "Paragraph 1.1" or "KPI 1.1" because paragraph numbers and KPI codes
    can look the same.
    """
    subjects = []
    for section in snapshot["sections"]:
        for p in section["paragraphs"]:
            text = Truncator(p["text"]).chars(70)
            subjects.append((f"Paragraph {p['number']}", f"Paragraph {p['number']}: {text}", p["anchor"]))
        for row in section["rows"]:
            kpi = row["kpi"]
            subjects.append((f"KPI {kpi['code']}", f"KPI {kpi['code']}: {kpi['name']}", row["anchor"]))
    return subjects


class FeedbackForm(forms.Form):
    """The member's comment and, optionally, what it is about."""

    about = forms.ChoiceField(label="What is it about?", required=False)
    text = forms.CharField(
        label="Your comment or question",
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": TEXT_MAX_LENGTH}),
        strip=True,
        error_messages={"required": TEXT_REQUIRED},
    )

    def __init__(self, *args, snapshot: dict | None = None, subjects: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.subjects = subjects if subjects is not None else feedback_subjects(snapshot or {})
        paragraphs = [(v, label) for v, label, _ in self.subjects if v.startswith("Paragraph ")]
        kpis = [(v, label) for v, label, _ in self.subjects if v.startswith("KPI ")]
        choices = [("", WHOLE_REPORT)]
        if paragraphs:
            choices.append(("Numbered paragraphs", paragraphs))
        if kpis:
            choices.append(("KPIs", kpis))
        self.fields["about"].choices = choices
        self.fields["about"].error_messages["invalid_choice"] = ABOUT_UNKNOWN

    def full_clean(self):
        super().full_clean()
        # Tie each field to its hint and error message for screen readers.
        for name, field in self.fields.items():
            described = [f"id_{name}-error"] if name in self.errors else []
            if name == "text":
                described.append("id_text-hint")
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def clean_text(self):
        text = self.cleaned_data["text"]
        if len(text) > TEXT_MAX_LENGTH:
            raise ValidationError(TEXT_TOO_LONG, params={"length": len(text)})
        return text


@transaction.atomic
def feedback_create(*, publication: Publication, author, text: str, about: str = "") -> Feedback:
    """Record a member's comment on a published version they may read."""
    latest = publication.report.publications.filter(published_at__isnull=False).aggregate(n=Max("version"))[
        "n"
    ]
    if not access.can_leave_feedback(author, publication, latest_version=latest):
        raise PermissionDenied(CANNOT_LEAVE_FEEDBACK)
    text = (text or "").strip()
    if not text:
        raise ValidationError(TEXT_REQUIRED)
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(TEXT_TOO_LONG, params={"length": len(text)})
    feedback = Feedback.objects.create(publication=publication, author=author, text=text, about=about[:40])
    transaction.on_commit(lambda: notifications.question_asked(feedback=feedback))
    return feedback


@transaction.atomic
def feedback_answer(*, feedback: Feedback, by, answer: str) -> Feedback:
    """Staff answer a comment; the member sees the answer on the report."""
    if not (by.is_authenticated and by.is_staff and by.has_perm("reports.change_feedback")):
        raise PermissionDenied(CANNOT_ANSWER)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError(ANSWER_REQUIRED)
    feedback.answer = answer[:TEXT_MAX_LENGTH]
    feedback.answered_by = by
    feedback.answered_at = timezone.now()
    feedback.save(update_fields=["answer", "answered_by", "answered_at"])
    return feedback

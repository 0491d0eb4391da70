"""Staff admin for Panel members' feedback: read every comment, answer it, see what is open.

Imported at the end of reports/admin.py. Members write feedback on the reader site, so
staff cannot add it here; they can only answer, which goes through
`reports.feedback.feedback_answer` (it records who answered and when).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html

from .feedback import ANSWER_REQUIRED, feedback_answer
from .models import Feedback


class AnsweredFilter(admin.SimpleListFilter):
    title = "answered"
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("no", "Waiting for an answer"), ("yes", "Answered")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(answered_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(answered_at__isnull=False)
        return queryset


class FeedbackAnswerForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["answer"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 6, "maxlength": 4000})}
        help_texts = {"answer": "The member sees this answer on the report, under their comment."}

    def clean_answer(self):
        answer = (self.cleaned_data.get("answer") or "").strip()
        if not answer:
            raise ValidationError(ANSWER_REQUIRED)
        return answer


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    form = FeedbackAnswerForm
    list_display = ["created_at", "report_version", "about", "short_text", "author", "is_answered"]
    list_filter = [AnsweredFilter, "publication__report"]
    list_select_related = ["publication__report", "author"]
    search_fields = ["text", "answer", "about", "publication__report__title", "author__username"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "publication_link",
        "author",
        "about",
        "text",
        "created_at",
        "answered_by",
        "answered_at",
    ]
    fields = [
        "publication_link",
        "author",
        "about",
        "text",
        "created_at",
        "answer",
        "answered_by",
        "answered_at",
    ]

    def has_add_permission(self, request):
        return False  # members write feedback on the reader site

    @admin.display(description="report", ordering="publication__report__title")
    def report_version(self, obj):
        return f"{obj.publication.report} (v{obj.publication.version})"

    @admin.display(description="on the reader site")
    def publication_link(self, obj):
        return format_html(
            '<a href="{}">{} (version {})</a>',
            obj.publication.get_absolute_url(),
            obj.publication.report,
            obj.publication.version,
        )

    @admin.display(description="comment")
    def short_text(self, obj):
        return obj.text[:80]

    @admin.display(description="answered", boolean=True, ordering="answered_at")
    def is_answered(self, obj):
        return obj.answered_at is not None

    def save_model(self, request, obj, form, change):
        if not change:
            raise PermissionDenied
        if "answer" in form.changed_data:
            feedback_answer(feedback=obj, by=request.user, answer=form.cleaned_data["answer"])

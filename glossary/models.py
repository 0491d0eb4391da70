from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from portal.edit_versions import EditVersioned


class Term(EditVersioned):
    """A term or abbreviation that readers may not know (CMD, DVPO, Most Similar Forces).

    Editors manage terms in the admin or import them; reports mark up the first use of
    each term in a section and list the terms they use in their glossary appendix.
    """

    term = models.CharField(
        _("term"),
        max_length=200,
        unique=True,
        help_text=_("The term written out, e.g. 'Contact Management Department'."),
    )
    abbreviation = models.CharField(
        _("abbreviation"),
        max_length=40,
        blank=True,
        help_text=_("The short form readers meet in the text, e.g. 'CMD'. Leave blank if none."),
    )
    definition = models.TextField(
        _("definition"),
        help_text=_("Plain-English explanation shown in the glossary and when a reader hovers."),
    )
    slug = models.SlugField(
        _("anchor"),
        max_length=220,
        unique=True,
        blank=True,
        help_text=_("Used in links to the glossary entry; filled in from the term."),
    )

    class Meta:
        ordering = ["term"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")

    def __str__(self) -> str:
        return f"{self.term} ({self.abbreviation})" if self.abbreviation else self.term

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.abbreviation or self.term)[:200] or "term"
            base, n = self.slug, 2
            while Term.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
                self.slug = f"{base}-{n}"
                n += 1
        super().save(*args, **kwargs)

"""What the national planners need from the database, read in a few queries."""

from __future__ import annotations

from kpis.models import NationalMapping, Organisation

from .forces import ForceMatcher
from .planning import SKIPPED_HOME, MappingIndex, NationalContext


def national_context(*, skip_home: bool = False) -> NationalContext:
    """Forces and mappings as stored; with skip_home, the home force's rows are left out
    (police.uk months would otherwise replace the force's own monthly figures)."""
    skip, reason = frozenset(), ""
    if skip_home:
        home = Organisation.objects.filter(is_home=True).first()
        if home is not None:
            skip = frozenset({home.pk})
            reason = SKIPPED_HOME.replace("{name}", home.name)
    return NationalContext(
        ForceMatcher.from_models(Organisation), MappingIndex.from_models(NationalMapping), skip, reason
    )

"""Signals sent when staff change the glossary, for apps whose text links its terms.

glossary knows nothing of who listens: reports connects to this (in its AppConfig.ready)
to record the person as a contributor of the open drafts the change reaches. Sent inside
the transaction that made the change, with the acting user passed explicitly.
"""

from django.dispatch import Signal

# Terms were added, changed or deleted.
# Arguments: by (user or None), entries (list of linking.GlossaryEntry: each term's names
# before and after the change, so text that used an old name is found too).
terms_changed = Signal()

"""How long an applicant's name and contact are kept (Decree 13/2023, Law 91/2025).

They are kept only while an apology letter may be owed: until some time after
the dossier is returned, or, while it is still open, after its due date. A
newer export of the dossier sets the date again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

#: After the return: time to draft, send and record a letter for a late one.
AFTER_RETURN = timedelta(days=90)
#: After the due date of a dossier the exports stop listing before its return.
AFTER_DUE_WHILE_OPEN = timedelta(days=365)


def applicant_purge_after(due_at: datetime, returned_at: datetime | None) -> datetime:
    """Return when a dossier's applicant data must be erased."""
    if returned_at is not None:
        return returned_at + AFTER_RETURN
    return due_at + AFTER_DUE_WHILE_OPEN

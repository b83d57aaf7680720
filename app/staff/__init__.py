"""Pages for officials: each needs a login, and each query is scoped to the user."""

from app.staff import (  # noqa: F401  (registers the views)
    apology,
    audit,
    campaign_pages,
    case_files,
    case_import,
    case_intake,
    cases,
    comment_list,
    dashboard,
    deadlines,
    dossier_import,
    dossier_ratings,
    dossiers,
    enumerator_keys,
    integration_keys,
    manage,
    paper_batches,
    paper_entry,
    paper_reconcile,
    routes,
)
from app.staff.blueprint import bp

__all__ = ["bp"]

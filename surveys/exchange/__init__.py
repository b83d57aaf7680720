"""Data for outside systems: what ``/api/v1`` lists and reads, page by page.

Each listing is cut by the staff pages' ``Scope`` (a key reads as a viewer of its
unit) and walked with a keyset cursor (``pages``), so a client that follows the
cursors reads every row once even while rows are added.
"""

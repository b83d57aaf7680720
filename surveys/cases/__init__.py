"""Feedback cases (phản ánh, kiến nghị, PAKN): from intake to the citizen's answer.

A case is created by ``intake`` for every channel, moves through the states of
``workflow`` (each change one ``CaseEvent``), falls due by ``due_dates`` in the
working days of the dossiers' calendar, and is counted per unit and quarter by
``quarterly``. Nothing here knows HTTP.
"""

"""Paper questionnaires: printed in numbered batches, keyed in twice, reconciled.

A batch gives each form a number and a single-use access code of its own
(``batches``). Two clerks key each form without seeing each other's entry
(``entries``); a third user settles their differences against the paper, and
only then does the form become one response, through its code, on the
``paper`` channel (``reconciling``). ``progress`` counts a batch's forms and
each clerk's keying errors. Refusals carry a message for the staff
(``form_refusals``).
"""

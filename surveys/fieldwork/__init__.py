"""Fieldwork: enumerators, the forms they take to the field, and their interviews.

An enumerator holds a key (shown once, kept as its hash) and is assigned units
of interviewer campaigns; each assignment is one XForm on their tablet
(``xforms``), and the interviews they send are checked and recorded exactly
once (``instances``, ``interviews``). The OpenRosa HTTP side is ``app.openrosa``.
"""

"""The questionnaire domain: definitions, validation, skip logic, scoring, storage.

No web code lives here; ``app`` calls into this package, never the reverse.
"""

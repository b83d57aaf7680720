"""Citizens' comments (the free-text answers): listed, searched, masked and hidden.

``listing`` pages through every comment of the units in scope, newest first,
searched without case or diacritics; ``personal_data`` masks phone numbers, ID
numbers and emails wherever a comment is shown; ``moderation`` lets a manager
hide a comment from reports, with a reason, and show it again. Nothing here
knows HTTP.
"""

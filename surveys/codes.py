"""Access-code tokens: random, unguessable, and short enough to type from a receipt."""

from __future__ import annotations

import secrets

#: Letters and digits that cannot be misread for one another (no 0/O, 1/I/L, U/V).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
TOKEN_LENGTH = 10  # 29**10 ≈ 4.2e14 possible tokens


def new_token() -> str:
    """Draw a token from the operating system's secure random source."""
    return "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH))

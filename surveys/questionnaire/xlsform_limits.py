"""How big a workbook may be, and the checks made before a spreadsheet library reads it.

A questionnaire is small: the largest real forms we know have a few hundred
questions and one list of a few thousand places (5,307 unions of Bangladesh;
Vietnam has about 10,600 communes). The limits sit far above that, so no real
form meets them, and far below what would let one upload hold a worker's
memory or time: reading stops at the first row over a limit.

A workbook is a zip archive. Python's ``zipfile`` never inflates a member past
the size its directory declares, so checking the declared sizes first bounds
what the spreadsheet library can be made to read, however the archive was built.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

#: The first bytes of an OLE2 compound file: a legacy .xls, or an encrypted .xlsx.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The stream a password-protected .xlsx keeps its encrypted workbook in (MS-OFFCRYPTO);
#: compound file directories spell stream names in UTF-16LE.
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
#: What xlrd says of a password-protected legacy .xls.
XLRD_ENCRYPTED = "Workbook is encrypted"


@dataclass(frozen=True)
class Limits:
    """The largest workbook read; tests pass smaller ones to stay fast."""

    #: Bytes of the file itself.
    file_bytes: int = 50 * 1024 * 1024
    #: Bytes of all the archive's members once inflated (the XML openpyxl parses;
    #: it parses a whole sheet on opening when the sheet does not state its size).
    #: The largest real form inflates to 6 MB; a million rows, to 100 MB or more.
    inflated_bytes: int = 50 * 1024 * 1024
    #: Members of the archive (a workbook has a dozen or two).
    members: int = 1000
    #: Rows with content in the ``survey`` sheet (questions, groups, notes).
    survey_rows: int = 10_000
    #: Rows with content in the ``choices`` sheet, all lists together.
    choice_rows: int = 100_000
    #: Options in one list.
    list_options: int = 20_000
    #: Characters in one cell (the longest label in the real forms is 607).
    cell_characters: int = 10_000
    #: Groups inside groups (a real form nests two or three).
    group_depth: int = 30


DEFAULT_LIMITS = Limits()


def size_problem(size: int, limits: Limits) -> str | None:
    """Say that a file is too big to be a questionnaire, before it is read."""
    if size <= limits.file_bytes:
        return None
    return (
        f"the file has {size:,} bytes, over the limit of {limits.file_bytes:,}; "
        "a questionnaire is far smaller"
    )


def container_problem(data: bytes, limits: Limits) -> str | None:
    """Say why these bytes are not a workbook we will open, or None if they may be.

    Runs before openpyxl or xlrd sees the bytes: an encrypted workbook and a
    zip whose members would inflate past the limit are refused here, by what
    they declare, without inflating anything.
    """
    if data.startswith(OLE2_MAGIC):
        return encrypted_problem() if ENCRYPTED_PACKAGE in data else None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        return f"not a readable .xlsx file: {error}"
    if len(members) > limits.members:
        return (
            f"not a readable .xlsx file: the archive has {len(members):,} members, "
            f"over the limit of {limits.members:,}"
        )
    if any(member.flag_bits & 0x1 for member in members):
        return encrypted_problem()
    inflated = sum(member.file_size for member in members)
    if inflated > limits.inflated_bytes:
        return (
            f"the workbook would inflate to {inflated:,} bytes, over the limit of "
            f"{limits.inflated_bytes:,} (a zip bomb, or far more rows than any "
            "questionnaire has)"
        )
    return None


def encrypted_problem() -> str:
    """Say that a workbook is password-protected, and what to do about it."""
    return (
        "the workbook is password-protected (encrypted): remove the password "
        "(in Excel: File > Info > Protect Workbook > Encrypt with Password, "
        "empty it) and save again"
    )


def rows_over_limit(sheet: str, limit: int) -> str:
    """Say that a sheet has more rows than a questionnaire ever has."""
    return (
        f"sheet '{sheet}' has more than {limit:,} rows with content, the limit; "
        "reading stopped there (no real questionnaire is that long: is this "
        "the right file?)"
    )

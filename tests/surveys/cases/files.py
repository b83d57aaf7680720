"""Files a citizen might send: real pictures and PDFs, made here, and impostors."""

from __future__ import annotations

import io
import zlib

from PIL import Image

#: A Windows program's first bytes ("MZ", then the DOS stub).
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def picture(
    kind: str = "JPEG", size: tuple[int, int] = (40, 30), gps: bool = False
) -> bytes:
    """A small picture; with ``gps``, EXIF naming a camera and a place."""
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    options: dict[str, object] = {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x0110] = "SecretPhone 12"  # Model
        exif.get_ifd(0x8825)[2] = (10.0, 46.0, 30.0)  # GPSLatitude
        options["exif"] = exif.tobytes()
    image.save(out, format=kind, **options)
    return out.getvalue()


def pdf(body: bytes = b"", compressed: bytes = b"") -> bytes:
    """A minimal PDF, with ``body`` among its objects and ``compressed`` in a stream."""
    stream = zlib.compress(compressed or b"BT /F1 12 Tf (Xin chao) Tj ET")
    return (
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R "
        + body
        + b" >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        + b"3 0 obj << /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )

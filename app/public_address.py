"""The public address printed under QR codes, checked against how the app is reached.

Posters, receipt codes and result slips print ``PUBLIC_BASE_URL``; its default
(``http://127.0.0.1:5000``) only works on the machine that serves the demo. An
install reached from elsewhere that still prints a loopback address would paste
codes no citizen can open, so printing is refused until the setting is fixed.
Any other difference (staff on an internal address, citizens on the public
one) may be intended: the staff pages say which address codes lead to.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request

from app.i18n import _

#: Host names that only reach the machine they are typed on.
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class UnreachableAddress(Exception):
    """Codes would lead to an address only the server itself can open."""

    def __init__(self, base: str) -> None:
        super().__init__(base)
        self.message = _(
            "Không in: mã QR sẽ dẫn tới %(base)s, địa chỉ chỉ máy chủ mở được. Hãy "
            "đặt HAILONG_PUBLIC_BASE_URL là địa chỉ người dân truy cập (xem README) "
            "rồi in lại.",
            base=base,
        )


def printed_base_url() -> str:
    """Return the base printed codes lead to; raise ``UnreachableAddress``."""
    base = current_app.config["PUBLIC_BASE_URL"]
    if _host(base) in LOOPBACK and _host(request.host_url) not in LOOPBACK:
        raise UnreachableAddress(base)
    return base


def address_notice() -> str | None:
    """Say which address printed codes lead to when it is not this one."""
    base = current_app.config["PUBLIC_BASE_URL"]
    here = _host(request.host_url)
    if _host(base) == here or {_host(base), here} <= LOOPBACK:
        return None
    return _(
        "Mã QR in ra dẫn tới %(base)s (HAILONG_PUBLIC_BASE_URL), không phải địa chỉ "
        "đang mở trang này: hãy chắc đó là địa chỉ người dân truy cập được.",
        base=base,
    )


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()

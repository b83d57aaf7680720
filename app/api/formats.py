"""Open311 answers as the spec writes them: XML, or JSON in the Spark convention.

JSON lists (``services``, ``service_requests``, ``errors``) are bare arrays and
a discovery or service definition a bare object. XML names each list and its
items with the spec's elements (``services``/``service``, ``service_requests``/
``request``, ``errors``/``error``), has no namespace and declares UTF-8.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

from flask import Response

XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
#: Each list's element and the element of its items.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ElementTree.Element, value: Any) -> None:
    """Write ``value`` into ``element``: a dict's keys, a list's items, or text."""
    if isinstance(value, dict):
        for name, inner in value.items():
            _fill(ElementTree.SubElement(element, name), inner)
    elif isinstance(value, list):
        for inner in value:
            _fill(ElementTree.SubElement(element, ITEMS[element.tag]), inner)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> str:
    """Return ``value`` as an XML document whose root element is ``root``."""
    element = ElementTree.Element(root)
    _fill(element, value)
    return XML_DECLARATION + ElementTree.tostring(element, encoding="unicode")


def answer(fmt: str, root: str, value: Any, status: int = 200) -> Response:
    """Return ``value`` in the format the path asked for (``xml`` or ``json``)."""
    if fmt == "xml":
        return Response(to_xml(root, value), status, content_type=XML_TYPE)
    body = json.dumps(value, ensure_ascii=False)
    return Response(body, status, content_type=JSON_TYPE)


def errors(fmt: str, status: int, *descriptions: str) -> Response:
    """Return an Open311 error list; each error's code is the HTTP status."""
    listed = [{"code": status, "description": text} for text in descriptions]
    return answer(fmt, "errors", listed, status)

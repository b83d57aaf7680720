"""The XML documents of the OpenRosa APIs: form list, manifest, response.

Namespaces and element names as the OpenRosa Form List API and HTTP Request
API give them (https://docs.getodk.org/openrosa-form-list,
https://docs.getodk.org/openrosa-http). Built with ElementTree: every text
an official or enumerator typed is escaped by the serializer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree import ElementTree

FORM_LIST = "http://openrosa.org/xforms/xformsList"
MANIFEST = "http://openrosa.org/xforms/xformsManifest"
RESPONSE = "http://openrosa.org/http/response"


@dataclass(frozen=True)
class ListedForm:
    """One ``<xform>`` of the form list."""

    form_id: str
    name: str
    version: str
    md5: str
    download_url: str
    manifest_url: str | None


@dataclass(frozen=True)
class ListedFile:
    """One ``<mediaFile>`` of a manifest."""

    filename: str
    md5: str
    download_url: str


def form_list(forms: Iterable[ListedForm]) -> bytes:
    """Return the ``<xforms>`` document listing ``forms``."""
    root = ElementTree.Element("xforms", xmlns=FORM_LIST)
    for form in forms:
        entry = _child(root, "xform")
        _child(entry, "formID", form.form_id)
        _child(entry, "name", form.name)
        _child(entry, "version", form.version)
        _child(entry, "hash", f"md5:{form.md5}")
        _child(entry, "downloadUrl", form.download_url)
        if form.manifest_url is not None:
            _child(entry, "manifestUrl", form.manifest_url)
    return _document(root)


def manifest(files: Iterable[ListedFile]) -> bytes:
    """Return the ``<manifest>`` document listing a form's media files."""
    root = ElementTree.Element("manifest", xmlns=MANIFEST)
    for media in files:
        entry = _child(root, "mediaFile")
        _child(entry, "filename", media.filename)
        _child(entry, "hash", f"md5:{media.md5}")
        _child(entry, "downloadUrl", media.download_url)
    return _document(root)


def openrosa_response(message: str, nature: str) -> bytes:
    """Return an ``<OpenRosaResponse>`` with one message for the enumerator."""
    root = ElementTree.Element("OpenRosaResponse", xmlns=RESPONSE)
    _child(root, "message", message).set("nature", nature)
    return _document(root)


def _child(
    parent: ElementTree.Element, name: str, text: str | None = None
) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, name)
    element.text = text
    return element


def _document(root: ElementTree.Element) -> bytes:
    """Serialise a document whose root declares its namespace as ``xmlns``."""
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)

"""The payload document an attachment carries (docs/artifacts.md section 5), both ways:
JSON <-> payload XML with the project's converter, validated against the package's payload
XSD, <-> the attachment text (gzip + base64, :mod:`.attachments`).

What an operation's ``x-caiso-attachment.<side>`` says is read once into
:class:`AttachmentForm`; the gateway and the SOAP mock share :class:`PayloadCodec`, so what
one writes the other reads by the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast
from xml.etree import ElementTree

from lxml import etree
from xmlschema import XMLSchemaValidationError

from b2b_openapi.codec import attachments, jsonxml
from b2b_openapi.codec.encode import EncodePlan, Unplanned, namespaces
from b2b_openapi.codec.soap import SOAP_ENV
from b2b_openapi.codec.validation import compile_document
from b2b_openapi.errors import one_line

Form = Literal["docattach", "swa", "mtom"]
# CAISO's error document (StandardOutput, protocol notes section 4): an attachment that
# holds one instead of the payload is CAISO refusing the request
STANDARD_OUTPUT = "outputDataType"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def _qname(namespace: str | None, name: str) -> str:
    return f"{{{namespace}}}{name}" if namespace else name


@dataclass(frozen=True)
class AttachmentForm:
    """One side's ``x-caiso-attachment`` entry, as the wire code needs it."""

    form: Form
    element: str  # {ns}local of the payload document
    schema_file: str  # the payload XSD, beside the WSDL
    part: str | None = None  # the message part holding the text (swa/mtom: the MIME part)
    container: str | None = None  # docattach: {ns}ISOAttachment
    value_element: str = "AttachmentValue"
    info_header: str | None = None  # {ns}standardAttachmentInfor when the message has it

    @classmethod
    def from_extension(cls, entry: Mapping[str, Any] | None) -> AttachmentForm | None:
        """None for no entry, or the base64 fallback (no payload XSD): the JSON is then the
        SOAP body as it is."""
        if not entry or entry.get("payloadElement") is None or not entry.get("payloadSchema"):
            return None
        container = entry.get("container") or None
        info = entry.get("infoHeader") or None
        return cls(cast(Form, entry["form"]),
                   _qname(entry.get("payloadNamespace"), entry["payloadElement"]),
                   str(entry["payloadSchema"]), entry.get("part"),
                   _qname(container["namespace"], container["name"]) if container else None,
                   container.get("valueElement", "AttachmentValue") if container else
                   "AttachmentValue",
                   _qname(info["namespace"], info["name"]) if info else None)


class PayloadError(ValueError):
    """The attachment's XML is not the payload document its XSD describes."""


class CaisoErrorDocument(Exception):
    """The attachment holds CAISO's error document (``outputDataType``) instead of the
    payload: CAISO refused the request.  ``texts`` are its events' results/descriptions."""

    def __init__(self, root: Any, texts: list[str]) -> None:
        super().__init__("; ".join(texts) or "CAISO answered an error document")
        self.root = root
        self.texts = texts


def _error_texts(root: Any) -> list[str]:
    texts = []
    for elem in root.iter():
        if isinstance(elem.tag, str) and elem.tag.rpartition("}")[2] in ("description",
                                                                          "result"):
            text = " ".join((elem.text or "").split())
            if text and text not in texts:
                texts.append(text)
    return texts


class PayloadCodec:
    """JSON <-> payload XML <-> attachment text for one payload element."""

    def __init__(self, form: AttachmentForm, schema: Any, xsd: Path | None = None) -> None:
        self.form = form
        self.schema = schema
        self.xsd = xsd  # the payload XSD's file, for libxml2 (None: the reference only)
        self._planned: _Planned | None = None
        try:
            self.element = schema.maps.elements[form.element]
        except KeyError:
            raise PayloadError(f"{form.schema_file} declares no element {form.element}") \
                from None

    @classmethod
    def load(cls, form: AttachmentForm, folder: Path,
             package: Path | None = None) -> PayloadCodec:
        """The payload XSD from ``folder`` (where the WSDL is: server apps copy it there)."""
        from b2b_openapi.xsd.wsdl import load_payload_schema  # the xsd stage, on first use

        path = folder / form.schema_file
        return cls(form, load_payload_schema(path, package), path)

    def to_xml(self, value: Any) -> bytes:
        """The payload XML of a JSON value; ValueError or xmlschema's validation error when
        the value cannot be that document."""
        encoded = jsonxml.encode(self.element, value)
        self.element.validate(encoded)  # prefixes of xs:QName values, as the gateway checks
        xml: bytes = ElementTree.tostring(encoded, encoding="utf-8", xml_declaration=True)
        return xml

    def to_json(self, xml: bytes) -> Any:
        """The JSON of payload XML, validated; :class:`CaisoErrorDocument` for CAISO's error
        document, :class:`PayloadError` for anything else that is not the payload."""
        try:
            root = etree.fromstring(xml, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise PayloadError(f"the attachment is not XML: {exc}") from None
        if root.tag != self.form.element:
            if root.tag.rpartition("}")[2] == STANDARD_OUTPUT:
                raise CaisoErrorDocument(root, _error_texts(root))
            raise PayloadError(f"the attachment holds {root.tag}, not {self.form.element}")
        try:
            return jsonxml.decode(self.element, root)
        except XMLSchemaValidationError as exc:
            raise PayloadError(f"{self.form.schema_file}: "
                               f"{one_line(str(exc.reason or exc))}") from None

    def encode(self, value: Any) -> str:
        """JSON -> payload XML -> gzip -> base64 text.  The encode plan builds the document
        (an lxml tree), libxml2 validates it, and it is serialised straight into gzip and
        base64 (:class:`.attachments.GzipBase64`): the XML and the gzip data are never
        held whole.  What the plan leaves to the reference encoder, or libxml2 refuses,
        goes through :meth:`to_xml`, which builds it or says why it cannot."""
        text = self._planned_text(value)
        return text if text is not None else attachments.encode(self.to_xml(value))

    def _planned_text(self, value: Any) -> str | None:
        if self._planned is None:
            self._planned = _Planned.compile(self.xsd, self.element)
        planned = self._planned
        if planned.schema is None:
            return None
        holder = etree.Element("holder", nsmap=planned.nsmap)
        try:
            planned.plan.builder(self.element)(holder, value)
        except (Unplanned, ValueError):  # ValueError: a number or string lxml refuses
            return None
        document = etree.ElementTree(holder[0]) if len(holder) == 1 else None
        if document is None or not planned.schema.validate(document):
            return None
        sink = attachments.GzipBase64()
        document.write(cast(Any, sink), encoding="utf-8", xml_declaration=True)  # file-like
        return sink.text()

    def decode(self, text: str | bytes, expected_hash: str | None) -> Any:
        """Attachment text -> JSON: the hash checked when given, then base64, gzip, XSD
        (each failure its own error: :mod:`.attachments`' or :class:`PayloadError`)."""
        return self.to_json(attachments.decode(text, expected_hash))


@dataclass(frozen=True)
class _Planned:
    """The fast encoder of one payload element: its XSD compiled for libxml2 (None where
    libxml2 refuses it), the encode plan and the prefixes declared once on the root."""

    schema: etree.XMLSchema | None
    plan: EncodePlan
    nsmap: dict[str, str]

    @classmethod
    def compile(cls, xsd: Path | None, element: Any) -> _Planned:
        schema = compile_document(xsd) if xsd is not None else None
        nsmap = {prefix: ns for prefix, ns in namespaces(element).items() if ns != SOAP_ENV}
        return cls(schema, EncodePlan(), nsmap)

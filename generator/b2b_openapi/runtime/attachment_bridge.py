"""The gateway's attachment side (docs/gateway.md "How attachments map"): an operation's
``x-caiso-attachment`` read once; a request's payload JSON becomes the attachment (DocAttach:
the container's value element; SwA/MTOM: a MIME part) with its ``attachmentHash`` (and
``standardAttachmentInfor``) header for the signer to cover; an answer's attachment becomes
the payload JSON again, every way it can be unusable a 502 naming the cause.

MIME, gzip and base64 are :mod:`b2b_openapi.codec.attachments`' (the stdlib ``email``
package), the payload's XML :mod:`b2b_openapi.codec.payload`'s (the project's converter)."""

from __future__ import annotations

import base64
import contextlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from lxml import etree
from xmlschema import XMLSchemaValidationError

from b2b_openapi.codec import attachments, jsonxml
from b2b_openapi.codec.payload import (
    AttachmentForm,
    CaisoErrorDocument,
    PayloadCodec,
    PayloadError,
)
from b2b_openapi.errors import one_line
from b2b_openapi.runtime.spec import Operation, Problem, clip

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def codecs(op: Operation, folder: Path) -> tuple[PayloadCodec | None, PayloadCodec | None]:
    """(request, response) codecs of an operation; None where a side carries no attachment
    or only the base64 fallback.  The payload XSD sits beside the WSDL (``folder``)."""
    entry: Mapping[str, Any] = op.raw.get("x-caiso-attachment") or {}
    found = []
    for side in ("request", "response"):
        form = AttachmentForm.from_extension(entry.get(side))
        found.append(PayloadCodec.load(form, folder) if form is not None else None)
    return found[0], found[1]


def info_header(form: AttachmentForm) -> tuple[ElementTree.Element, ...]:
    """The ``standardAttachmentInfor`` header when the message declares one."""
    if form.info_header is None:
        return ()
    return (attachments.info_header(form.part or "attachment",
                                    form.element.rpartition("}")[2]),)


def value_body(form: AttachmentForm, schema: Any, text: str) -> ElementTree.Element:
    """DocAttach: the container element (``ISOAttachment``) holding the text, by the
    converter against the WSDL's schema."""
    assert form.container is not None
    encoded: ElementTree.Element = jsonxml.encode(schema.maps.elements[form.container],
                                                  {form.value_element: text})
    return encoded


def content_id(form: AttachmentForm) -> str:
    """A MIME part's Content-ID as WS-I's Attachments Profile names it: ``part=uuid@host``."""
    return f"{form.part or 'attachment'}={uuid.uuid4()}@b2b-openapi"


@dataclass(frozen=True)
class Outgoing:
    """A request attachment: the text, and the headers that name it."""

    text: str
    headers: tuple[ElementTree.Element, ...]


def outgoing(codec: PayloadCodec, value: Any) -> Outgoing:
    """The payload JSON as the attachment text and its headers; 422 when it cannot be the
    payload document (XSD rules JSON Schema cannot express)."""
    try:
        text = codec.encode(value)
    except (XMLSchemaValidationError, ValueError, ArithmeticError) as exc:
        raise Problem(422, "Request is not a valid payload document",
                      clip(one_line(str(getattr(exc, "reason", None) or exc)))) from None
    return Outgoing(text, (attachments.hash_header(text), *info_header(codec.form)))


def package(codec: PayloadCodec, envelope: bytes, text: str) -> tuple[bytes, str]:
    """(content, Content-Type) of a signed request: DocAttach and plain envelopes as XML,
    SwA as ``multipart/related`` with the text as the part after the envelope, MTOM with
    the gzip bytes as the binary part the body's ``xop:Include`` names (the signature is
    over the envelope as XOP resolves it, so it is made with the text inline)."""
    form = codec.form
    if form.form == "swa":
        return attachments.build_swa(envelope, text, content_id(form))
    if form.form == "mtom":
        cid = content_id(form)
        root = etree.fromstring(envelope, _PARSER)
        carrier = next(e for e in root.iter() if isinstance(e.tag, str)
                       and e.tag.rpartition("}")[2] == (form.part or form.value_element))
        carrier.text = None
        carrier.append(etree.fromstring(ElementTree.tostring(attachments.xop_include(cid))))
        resolved = etree.tostring(root, xml_declaration=True, encoding="utf-8")
        return attachments.build_mtom(resolved, {cid: base64.b64decode(text)})
    return envelope, "text/xml; charset=utf-8"


def carrier_body(form: AttachmentForm, wrapper: ElementTree.Element,
                 text: str) -> ElementTree.Element:
    """MTOM: the body element holding the text inline (an unqualified child named after the
    part), before :func:`package` moves it into a binary part."""
    ElementTree.SubElement(wrapper, form.part or form.value_element).text = text
    return wrapper


def attachment_text(form: AttachmentForm, content_type: str, raw: bytes,
                    envelope: bytes) -> bytes | str:
    """The attachment text of an answer: DocAttach's value element, SwA's MIME part (the
    one named after the part, else its only one), MTOM's resolved carrier element."""
    if form.form == "swa":
        message = attachments.parse_multipart(content_type, raw)
        named = [data for cid, data in message.parts.items()
                 if form.part and cid.startswith(form.part + "=")]
        return named[0] if named else attachments.swa_attachment(message)
    root = etree.fromstring(envelope, _PARSER)
    names = {form.value_element, form.part}
    found = next((e for e in root.iter() if isinstance(e.tag, str)
                  and e.tag.rpartition("}")[2] in names), None)
    if found is None:
        raise attachments.BadMime(f"the answer holds no {form.part or form.value_element} "
                                  "attachment")
    return (found.text or "").strip()


def answer_json(codec: PayloadCodec, content_type: str, raw: bytes, envelope: bytes,
                fault_schema: Any | None = None) -> Any:
    """The payload JSON of an answer whose envelope was checked (signature, refusals).
    The hash is checked when the envelope carries one."""
    try:
        text = attachment_text(codec.form, content_type, raw, envelope)
        return codec.decode(text, attachments.hash_value(envelope))
    except (attachments.AttachmentError, PayloadError, CaisoErrorDocument) as exc:
        raise answer_problem(exc, fault_schema) from None


def answer_problem(error: Exception, fault_schema: Any | None = None) -> Problem:
    """What an unusable answer attachment means to the caller, whether it was read whole
    or streamed (:mod:`b2b_openapi.codec.attachstream`): a 502 naming the cause, or the
    400 of CAISO's error document."""
    if isinstance(error, CaisoErrorDocument):
        return caiso_error(error, fault_schema)
    if isinstance(error, PayloadError):
        return Problem(502, "SOAP response attachment does not conform to the payload XSD",
                       clip(str(error)))
    return Problem(502, "SOAP response attachment is unusable",
                   f"{type(error).__name__}: {error}")


def caiso_error(error: CaisoErrorDocument, schema: Any | None) -> Problem:
    """CAISO's error document inside the attachment (``Invalid role and/or Entity list
    identifier.``): CAISO refused the request, as a Client fault says; ``fault`` holds the
    document decoded when the WSDL declares it (its faults' ``outputDataType``)."""
    extra: dict[str, Any] = {}
    if schema is not None and error.root.tag in schema.maps.elements:
        with contextlib.suppress(XMLSchemaValidationError):  # the texts still say it
            extra["fault"] = jsonxml.decode(schema.maps.elements[error.root.tag], error.root)
    return Problem(400, "CAISO error document in the attachment", clip(str(error)), extra)

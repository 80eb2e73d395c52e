"""The intermediate model: what a service *is*, independent of XSD parsing and of OpenAPI.

Parsers (:mod:`b2b_openapi.xsd.wsdl`, :mod:`b2b_openapi.xsd.builder`) produce these frozen
dataclasses; emitters (:mod:`b2b_openapi.openapi` and the generators of later stages) only
read them.  Everything here is plain data so the model can be compared, cached and hashed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal, Union

Scalar = str | int | bool | Decimal | float
JsonType = Literal["string", "number", "integer", "boolean"]


@dataclass(frozen=True)
class Facets:
    """XSD constraining facets, flattened along the restriction chain."""

    patterns: tuple[tuple[str, ...], ...] = ()  # AND of steps, each an OR of XSD regexes
    enumeration: tuple[Scalar, ...] | None = None
    enumeration_docs: tuple[tuple[Scalar, str], ...] = ()  # (value, xs:documentation)
    length: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_inclusive: Scalar | None = None
    max_inclusive: Scalar | None = None
    min_exclusive: Scalar | None = None
    max_exclusive: Scalar | None = None
    total_digits: int | None = None
    fraction_digits: int | None = None


@dataclass(frozen=True)
class SimpleType:
    """An atomic, list or union simple type.

    ``builtin`` is the XSD built-in the value space comes from (``decimal``, ``dateTime``...);
    ``name`` is set for named (global) types, which become OpenAPI components.
    """

    builtin: str
    name: str | None = None
    qname: str | None = None
    doc: str | None = None
    facets: Facets = Facets()
    item: TypeRef | None = None  # xs:list
    members: tuple[TypeRef, ...] = ()  # xs:union
    variety: Literal["atomic", "list", "union"] = "atomic"


@dataclass(frozen=True)
class Ref:
    """A reference to a named component (complex or simple type, or global element)."""

    component: str


TypeRef = Union[Ref, SimpleType, "ComplexType"]


@dataclass(frozen=True)
class Attribute:
    key: str  # JSON key, "@name"
    xml_name: str  # qualified name as it appears in XML ("{ns}name" or "name")
    type: TypeRef
    required: bool
    default: Scalar | None = None
    fixed: Scalar | None = None
    doc: str | None = None


@dataclass(frozen=True)
class Child:
    key: str
    xml_name: str
    type: TypeRef
    min_occurs: int
    max_occurs: int | None
    multiple: bool
    order: int
    min_items: int = 0
    nillable: bool = False
    default: Scalar | None = None
    fixed: Scalar | None = None
    doc: str | None = None
    substitution_of: str | None = None


@dataclass(frozen=True)
class ComplexType:
    """A complex type as its JSON object: attributes, child elements, or a ``$`` value.

    ``presence`` holds JSON-Schema key-presence constraints derived from choice groups and
    optional groups (see :mod:`b2b_openapi.xsd.presence`); ``required`` the keys that are
    required unconditionally.
    """

    name: str | None
    qname: str | None
    doc: str | None
    attributes: tuple[Attribute, ...]
    children: tuple[Child, ...]
    required: tuple[str, ...]
    presence: tuple[dict[str, object], ...] = ()
    simple_content: TypeRef | None = None
    open_content: bool = False  # xs:any present
    open_content_min: int = 0  # how many wildcard-matched elements are required
    open_attributes: bool = False  # xs:anyAttribute present
    base: str | None = None
    derivation: str | None = None
    compositor: str | None = None
    # the declared attributes' XML names in the order an XSD validator adds missing
    # defaults (xmlschema's: a base type's first; by name when there is a wildcard), which
    # is the key order of their JSON (codec/modeldecode.py)
    attribute_order: tuple[str, ...] = ()
    open_content_multiple: bool = False  # an xs:any that can match several elements
    # processContents of the xs:any particles ("mixed" when they differ) and of the
    # xs:anyAttribute: a decoder from the model keeps what xmlschema keeps of their matches
    open_content_process: str | None = None
    open_attributes_process: str | None = None


@dataclass(frozen=True)
class Element:
    """A global element used as a message body or header."""

    qname: str
    type: TypeRef
    nillable: bool = False
    doc: str | None = None


@dataclass(frozen=True)
class Sample:
    path: Path
    value: object  # decoded JSON value


@dataclass(frozen=True)
class Attachment:
    """A document carried as an attachment (docs/artifacts.md): CAISO's DocAttach
    (``ISOAttachment/AttachmentValue`` in the body), SOAP with Attachments (a MIME part) or
    MTOM.  The REST side speaks the payload document's JSON (``payload_element``); None
    there means the package lacks the payload XSD and the JSON is the base64 text."""

    form: Literal["docattach", "swa", "mtom"]
    payload_element: str | None  # {namespace}local of the payload document
    payload_schema: str | None = None  # the payload XSD's file name in the package
    part: str | None = None  # the message part holding the (encoded) document
    content_type: str | None = None  # mime:content type (swa)
    container: str | None = None  # docattach: {ns}ISOAttachment


@dataclass(frozen=True)
class RpcPart:
    """One part of an rpc/literal message: a child of the wrapper element."""

    name: str
    type_name: str | None = None  # {ns}local of type= (an unqualified child named ``name``)
    element_name: str | None = None  # {ns}local of element= (the element itself)


@dataclass(frozen=True)
class Message:
    """One side of an operation.  ``element`` is what the REST API speaks as JSON; when
    the SOAP body is something else (an rpc wrapper, an attachment's container) that is
    ``soap_element``."""

    element: Element
    samples: tuple[Sample, ...] = ()
    soap_element: Element | None = None
    attachment: Attachment | None = None
    rpc_parts: tuple[RpcPart, ...] | None = None  # rpc style: the wrapper's parts
    headers: tuple[Element, ...] = ()  # soap:header elements bound to this message


@dataclass(frozen=True)
class Fault:
    name: str
    message: Message


@dataclass(frozen=True)
class Operation:
    name: str
    doc: str | None
    soap_action: str
    path: str
    input: Message
    output: Message
    faults: tuple[Fault, ...]
    header: Element | None = None


@dataclass(frozen=True)
class ServiceId:
    """``RetrieveCleanBidSet_SIBRv5_DocAttach`` -> name, system, version, variant."""

    name: str
    system: str
    version: int
    variant: str | None
    folder_system: str

    @property
    def full_name(self) -> str:
        return f"{self.name}_{self.system}v{self.version}" + (
            f"_{self.variant}" if self.variant else ""
        )

    @property
    def lineage(self) -> str:
        """Same for every major version of one service: what diff reports pair on."""
        return f"{self.folder_system}/{self.name}" + (f"_{self.variant}" if self.variant else "")


@dataclass(frozen=True)
class Service:
    id: ServiceId
    wsdl: Path
    target_namespace: str
    doc: str | None
    endpoint: str | None
    operations: tuple[Operation, ...]
    components: dict[str, TypeRef] = field(default_factory=dict)
    sources: tuple[Path, ...] = ()  # the WSDL and every schema file it loaded
    binding: str = "SOAP 1.1 document/literal"
    mtom: bool = False  # the WSDL declares MTOM (an OptimizedMimeSerialization assertion)
    warnings: tuple[str, ...] = ()  # degraded results the build reports


# -- OASIS reports (docs/oasis.md): public HTTP GET + ZIP, not SOAP ----------------------

OasisType = Literal["string", "date", "dateTime", "decimal", "integer"]


@dataclass(frozen=True)
class OasisField:
    """A query parameter or a column of an OASIS report.  ``csv`` and ``xml`` are the
    column's names in the CSV header and as the REPORT_DATA child element (OASIS names some
    columns differently in its two formats); ``name`` is the JSON key."""

    name: str
    type: OasisType
    required: bool = False
    doc: str | None = None
    enumeration: tuple[str, ...] = ()
    example: str | None = None
    csv: str | None = None
    xml: str | None = None
    line: int | None = None  # where the report file declares it (for errors)


@dataclass(frozen=True)
class OasisReport:
    """One version of one OASIS report: an HTTP GET of ``queryname`` and ``version`` with
    the parameters, answered with a ZIP of rows.  ``rows`` is the sample report's rows as
    JSON (the 200 example and the mock's answer); ``error`` the sample error document's
    (code, description), None without one."""

    id: ServiceId
    source: Path  # the report file (oasis-report.toml)
    queryname: str
    version: int
    operation: str
    doc: str | None
    parameters: tuple[OasisField, ...]
    columns: tuple[OasisField, ...]
    rows: tuple[dict[str, object], ...] | None = None
    csv_rows: tuple[dict[str, object], ...] | None = None
    error: tuple[str, str] | None = None
    sources: tuple[Path, ...] = ()  # the report file and its samples
    warnings: tuple[str, ...] = ()

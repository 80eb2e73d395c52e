"""Load a service without xmlschema when that gives the reference's model, else with it.

The spec stage's time went to xmlschema (issue 14, docs/performance.md): importing it,
building its meta-schema, checking every schema document against it and building every
component of every schema, in Python.  Here:

* the schemas' validity is libxml2's: each schema document against the XSD meta-schema
  and the WSDL against wsdl.xsd (:mod:`b2b_openapi.xsd.schemacheck`), and the service's
  schema set compiled (:mod:`b2b_openapi.codec.validation`, the gateway's validator);
* the components the model builder reads come from the light reader
  (:mod:`b2b_openapi.xsd.light`), through the very operation and message rules of
  :func:`b2b_openapi.xsd.wsdl.build_service`;
* each sample is validated by libxml2 and decoded from the model
  (:mod:`b2b_openapi.codec.modeldecode`).

Whenever one of them cannot decide as the reference would (a construct the light reader
leaves alone, a schema libxml2 refuses, a sample it finds invalid, any error at all), the
service is loaded by :func:`b2b_openapi.xsd.wsdl.load_service`, the reference, which
reports errors exactly as before.  tests/test_fastpath.py holds both paths equal on every
service and says which ones take the fast path.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from lxml import etree

from b2b_openapi.model import Element, Service, TypeRef
from b2b_openapi.xsd import light, wellknown, wsdl
from b2b_openapi.xsd.builder import ModelBuilder
from b2b_openapi.xsd.packages import Artifact

XS_SCHEMA = "{http://www.w3.org/2001/XMLSchema}schema"

# Which path each service took in this process, for tests and the benchmark's report.
TAKEN: dict[Path, str] = {}


class Fallback(Exception):
    """The fast path cannot decide this service as the reference would."""


def load_service(source: Path | Artifact) -> Service:
    """The service's model: the fast path's when it can decide, else the reference's."""
    artifact = wsdl.as_artifact(source)
    try:
        service = _fast(artifact)
    except Exception as why:  # anything the fast path meets is the reference's to say
        # Fallback, light.Unsupported and modeldecode.Unsupported are the expected ones;
        # an ArtifactError is reported by the reference in its own words, and any other
        # exception would be a fast-path bug, which must not cost the user a correct
        # build (tests/test_fastpath.py holds the bundled corpus on the fast path).
        TAKEN[artifact.wsdl] = f"reference: {type(why).__name__}: {why}"
        return wsdl.load_service(artifact)
    TAKEN[artifact.wsdl] = "fast"
    return service


def _gate(reached: wsdl.Reached, wsdl_path: Path | None,
          shared: frozenset[str] = frozenset()) -> None:
    """libxml2's verdict on the documents, where xmlschema would give its own: each XSD
    file and each inline schema valid against the XSD meta-schema, the WSDL against
    wsdl.xsd (with ``shared``, the namespaces of the shared folders the reference's parent
    schema holds: xmlschema checks their elements in a WSDL, libxml2 cannot)."""
    from b2b_openapi.xsd import schemacheck

    for path in reached.files:
        root = reached.trees[path].getroot()
        if path != wsdl_path:
            if not schemacheck.schema_document_valid(root):
                raise Fallback(f"{path}: libxml2 does not find the schema document valid")
            continue
        if not schemacheck.wsdl_valid(reached.trees[path], shared):
            raise Fallback(f"{path}: libxml2 does not find the WSDL valid")
        for schema in root.iter(XS_SCHEMA):
            if not schemacheck.schema_document_valid(schema):
                raise Fallback(f"{path}: libxml2 does not find an inline schema valid")


def _shared_namespaces(reached: wsdl.Reached) -> frozenset[str]:
    """The namespaces of the shared folders' schemas, which the reference loads into the
    parent of the service's maps (xsd/shared.py), reached by this service or not."""
    return frozenset(namespace for folder in reached.shared for xsd in folder.glob("*.xsd")
                     if (namespace := wellknown.target_namespace(xsd.resolve())))


def _fast(artifact: Artifact) -> Service:
    from b2b_openapi.codec import validation

    path = artifact.wsdl.resolve()
    reached = wsdl.reach(artifact.wsdl, artifact.package)
    shared = _shared_namespaces(reached)
    _gate(reached, path, shared)
    compiled = validation.compile_service(artifact.wsdl)
    if compiled is None:
        raise Fallback("libxml2 does not compile the service's schemas")
    schemas = light.SchemaSet()
    schemas.libxml2 = compiled
    schemas.elsewhere = shared
    root = reached.trees[path].getroot()
    for schema in root.iter(XS_SCHEMA):
        schemas.add(schema, path, schema.get("targetNamespace") or None, False,
                    reached.trees, reached.targets)
    document = light.WsdlDocument(root, schemas)
    reader = wsdl.Reader(_decode_sample, partial(_decode_rpc_sample, schemas), _payload_schema)
    return wsdl.build_service(artifact, document, tuple(sorted(reached.files)),
                              list(reached.warnings), reader)


@dataclass(frozen=True)
class PayloadSchema:
    """A payload XSD as :func:`b2b_openapi.xsd.payload.payload_element` reads it."""

    elements: dict[str, light.Element]


def _payload_schema(path: Path, package: Path | None) -> tuple[PayloadSchema, wsdl.Reached]:
    from b2b_openapi.codec import validation

    reached = wsdl.reach(path, package)
    _gate(reached, None)
    compiled = validation.compile_document(path)
    if compiled is None:
        raise Fallback(f"{path}: libxml2 does not compile the payload schema")
    schemas = light.SchemaSet()
    schemas.libxml2 = compiled
    own = path.resolve()
    root = reached.trees[own].getroot()
    doc = schemas.add(root, own, root.get("targetNamespace") or None, False, reached.trees,
                      reached.targets)
    assert doc is not None
    elements = {}
    for child in root:
        if child.tag == light.XS + "element" and child.get("name"):
            local = child.get("name").strip()
            elements[local] = schemas.element(doc.name(local))
    return PayloadSchema(elements), reached


def _decode_sample(xsd_element: Any, path: Path) -> object:
    """A sample read as the reference reads it, when libxml2 finds it valid and the
    model-driven decoder has a sure answer (else the reference says what is wrong)."""
    root = wsdl.parse_well_formed(path).getroot()
    if root.tag != xsd_element.name:
        raise Fallback(f"{path}: sample root is not the message element")
    return _decoded(xsd_element, root, path)


def _decoded(xsd_element: Any, elem: Any, path: Path) -> object:
    """``elem`` (a sample's root or an rpc part) as JSON, once libxml2 finds it valid
    against its global element's declaration."""
    from b2b_openapi.codec import modeldecode

    if not _valid(xsd_element.schemas.libxml2, elem):
        raise Fallback(f"{path}: libxml2 does not find the sample valid")
    builder = _sample_builder(xsd_element.schemas)
    element = builder.element(xsd_element)
    return modeldecode.decode(element, builder.components, elem,
                              Globals(xsd_element.schemas, builder))


def _valid(schema: etree.XMLSchema, elem: Any) -> bool:
    """libxml2's verdict on ``elem`` as a document: a sample's root as parsed, an rpc
    part copied out of its wrapper (the copy keeps the namespaces in scope)."""
    if elem.getparent() is None:
        return bool(schema.validate(elem.getroottree()))
    return bool(schema.validate(etree.ElementTree(copy.deepcopy(elem))))


def _sample_builder(schemas: light.SchemaSet) -> ModelBuilder:
    """One model builder for all the samples of a schema set: their elements share most
    components, built once (the service's own builder is not at hand here, and its
    warnings must not grow with the samples' models)."""
    builder = schemas.sample_builder
    if builder is None:
        builder = schemas.sample_builder = ModelBuilder()
    assert isinstance(builder, ModelBuilder)
    return builder


@dataclass(frozen=True)
class Globals:
    """The global declarations a lax wildcard's content is decoded with (the reference
    decodes such content with the schema set's global element or attribute of its name),
    modelled on demand by the builder whose components the decoder reads."""

    schemas: light.SchemaSet
    builder: ModelBuilder

    def element(self, qname: str) -> Element | None:
        if not self._defines("element", qname):
            return None
        return self.builder.element(self.schemas.element(qname))

    def attribute(self, qname: str) -> TypeRef | None:
        if not self._defines("attribute", qname):
            return None
        return self.builder.type(self.schemas.attribute(qname).type)

    def _defines(self, kind: str, qname: str) -> bool:
        """Whether the set declares it; a name of a namespace only the reference's shared
        parent holds is not for this path to say."""
        if self.schemas.defines(kind, qname):
            return True
        if qname.startswith("{") and qname[1:].partition("}")[0] in self.schemas.elsewhere:
            raise light.Unsupported(f"{qname}: declared in a shared folder's schema")
        return False


def _decode_rpc_sample(schemas: light.SchemaSet, qname: str, parts: list[tuple[str, Any]],
                       path: Path) -> object:
    """An rpc/literal sample (the wrapper element) as the reference reads it: each part's
    child, an element= part by its element, a type= part as an unqualified element of
    its type, checked by libxml2 against a schema declaring just that element."""
    from b2b_openapi.codec import modeldecode

    root = wsdl.parse_well_formed(path).getroot()
    if root.tag != qname:
        raise Fallback(f"{path}: sample root is not the rpc wrapper")
    value: dict[str, object] = {}
    for name, part in parts:
        is_element = isinstance(part, light.Element)
        child = root.find(part.name if is_element else name)
        if child is None:
            raise Fallback(f"{path}: rpc sample without part {name!r}")
        if is_element:
            value[name] = _decoded(part, child, path)
            continue
        if not _valid(_part_schema(name, part), child):
            raise Fallback(f"{path}: libxml2 does not find part {name!r} valid")
        builder = _sample_builder(schemas)
        element = Element(qname=name, type=builder.type(part))
        value[name] = modeldecode.decode(element, builder.components, child,
                                         Globals(schemas, builder))
    return value


def _part_schema(name: str, xsd_type: Any) -> Any:
    """libxml2's schema of an rpc type= part: an unqualified element ``name`` of the type,
    which is imported from the file defining it (its own imports resolve from there)."""
    namespace, _, local = xsd_type.name.rpartition("}")
    namespace = namespace[1:]
    imports = ""
    if not isinstance(xsd_type, light.Builtin):
        doc = getattr(xsd_type, "doc", None)
        if doc is None or doc.chameleon or doc.path.suffix != ".xsd" or not namespace:
            raise Fallback(f"the type of rpc part {name!r} is not a namespaced XSD file's")
        imports = (f'<xs:import namespace="{namespace}" '
                   f'schemaLocation="{doc.path.as_uri()}"/>')
    driver = (f'<xs:schema xmlns:xs="{light.XS_NS}" xmlns:t="{namespace}">{imports}'
              f'<xs:element name="{name}" type="t:{local}"/></xs:schema>')
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        return etree.XMLSchema(etree.fromstring(driver.encode(), parser))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        raise Fallback(f"libxml2 does not compile rpc part {name!r}: {exc}") from None

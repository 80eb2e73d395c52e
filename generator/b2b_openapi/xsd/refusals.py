"""What the artifact stage refuses, as a table of named rules: one broken artifact under
``tests/broken/<id>/`` per rule, and the line every such refusal says.

Artifacts are refused rather than converted with a guess when the result would be wrong
for someone: a JSON shape that cannot come back as the same XML, a schema that cannot be
read the way the SOAP service reads it, an API name two packages claim. Each refusal is one
``error: FILE:LINE: what`` line, exit 1, nothing written (docs/artifacts.md); the table is
the policy and why, ``tests/test_errors.py`` holds every rule to its case, and
``docs/artifacts.md`` shows it (generated, checked by ``b2b-openapi check``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    id: str  # the case folder under tests/broken/
    says: str  # what the error line holds
    why: str


REFUSALS: tuple[Refusal, ...] = (
    # -- files that cannot be read, or read the way the SOAP service reads them
    Refusal("malformed_wsdl", "malformed XML", "nothing reliable can be read from it"),
    Refusal("malformed_xsd", "malformed XML", "nothing reliable can be read from it"),
    Refusal("malformed_sample", "malformed XML", "a sample becomes the spec's example"),
    Refusal("payload_xsd_malformed", "malformed XML",
            "the attachment's payload would be documented from a schema that is not one"),
    Refusal("missing_import", "file not found", "types would silently drop out"),
    Refusal("missing_include", "file not found", "types would silently drop out"),
    Refusal("missing_redefine", "file not found", "types would silently drop out"),
    Refusal("remote_import", "remote schemaLocation",
            "the build never uses the network; well-known W3C/OASIS schemas resolve locally"),
    Refusal("import_namespace_mismatch", "that schema's targetNamespace is",
            "the XML the gateway writes would carry the wrong namespace"),
    Refusal("wsdl_import_namespace_mismatch", "that schema's targetNamespace is",
            "the XML the gateway writes would carry the wrong namespace"),
    Refusal("invalid_facet", "maxLength", "the schema's own value is not valid XSD"),
    Refusal("nan_facet", "has no JSON number form",
            "a bound JSON cannot write cannot be checked on the JSON side"),
    Refusal("unknown_type", "capacityType", "a reference to nothing: the type is unknown"),
    # -- packages whose API cannot be told apart
    Refusal("duplicate_api_name", "two WSDLs claim the API name",
            "two documents, servers and clients would overwrite each other"),
    Refusal("zip_without_wsdl", "zip package holds no WSDL", "there is no service in it"),
    Refusal("abstract_wsdl_only", "abstract WSDL (no wsdl:binding)",
            "with no binding there is no SOAP operation to call"),
    Refusal("service_name_mismatch", "must be named",
            "a bundled-layout folder and its WSDL disagree on the API name"),
    # -- WSDL constructs with no faithful REST form
    Refusal("no_soap_binding", "missing soap:binding",
            "without it there is no SOAP (1.1 or 1.2) transport to call"),
    Refusal("missing_soap_action", "no soapAction",
            "CAISO routes on the SOAPAction; the gateway could not address the operation"),
    Refusal("soap_body_encoded", 'soap:body use="encoded" is not supported',
            "SOAP encoding has no XSD-defined shape for the JSON to mirror"),
    Refusal("soap_body_unknown_part", "which message",
            "the binding names a part its message does not have"),
    Refusal("part_with_type", "must reference an element",
            "a document/literal body part needs an element to be the body"),
    Refusal("unknown_message", "responseMessage", "a reference to nothing"),
    Refusal("unknown_part_element", "WidgetResponse", "a reference to nothing"),
    # -- XSD content that JSON cannot carry both ways
    Refusal("mixed_content", "mixed content is not supported",
            "text between child elements has no place in the JSON object"),
    Refusal("mixed_empty_content", "mixed content is not supported",
            "text between child elements has no place in the JSON object"),
    Refusal("any_type_declared", "has type xs:anyType",
            "any content at all: no schema for clients, nothing the gateway can check"),
    Refusal("any_type_element", "so its type is xs:anyType",
            "an untyped element is xs:anyType: no schema for clients"),
    Refusal("embedded_schema_untyped_element", "has no type",
            "an untyped element is xs:anyType: no schema for clients"),
    Refusal("abstract_type_element", "has the abstract type",
            "an abstract type needs xsi:type in the instance, which JSON does not carry"),
    Refusal("xsi_type_substitution", "substitutes a type",
            "the JSON would lose which derived type the XML named"),
    Refusal("xsi_type_unknown", "invalid xsi:type", "a sample names a type that does not exist"),
    Refusal("attribute_local_name_clash", "share the local name",
            "JSON keys are local names: two attributes would be one key"),
    Refusal("duplicate_local_names", "share the local name",
            "JSON keys are local names: two elements would be one key"),
    Refusal("repeated_sequence", "repeating xs:sequence",
            "items of a repeating multi-element sequence would come back in another order"),
    Refusal("repeated_choice_sequence", "repeats through its enclosing repeating xs:choice",
            "the pairing of its elements would be lost in the JSON arrays"),
    # -- patterns JSON Schema (ECMA-262) cannot state as the XSD means them
    Refusal("unicode_category_pattern", "uses the Unicode category escape",
            "ECMA-262 without the u flag has no \\p{..}: the spec would check another set"),
    Refusal("embedded_schema_pattern", "uses the Unicode category escape",
            "ECMA-262 without the u flag has no \\p{..}: the spec would check another set"),
    Refusal("non_xsd_escape_pattern", "which is not an escape of XSD regular expressions",
            "the schema is not valid XSD; guessing its meaning would check something else"),
    # -- samples, which become the specs' examples
    Refusal("invalid_sample", "sample is not valid", "the spec would show an impossible example"),
    Refusal("sample_wrong_root", "sample root is", "the sample is of another message"),
    Refusal("float_infinity_sample", "JSON numbers have no infinities",
            "the example cannot be written as JSON"),
    # -- OASIS reports (docs/oasis.md): the project's report file and its samples
    Refusal("oasis_report_malformed", "malformed TOML", "nothing reliable can be read from it"),
    Refusal("oasis_column_type", "type must be one of",
            "a column's JSON type, and how the gateway reads its values, would be a guess"),
    Refusal("oasis_sample_invalid", "sample is not valid",
            "the spec would show, and the mock answer, rows the report cannot have"),
    Refusal("oasis_samples_disagree", "its rows differ from report.xml's",
            "the XML and CSV answers of one query must give the same JSON rows"),
)

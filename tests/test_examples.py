"""Synthesized examples (b2b_openapi.examples) are valid on both sides for every message of
the bundled corpus: against the emitted OpenAPI schema, and, encoded to XML, against the
XSD, decoding back to the same JSON.  The corpus has samples for every message; here they
are ignored, so the synthesizer meets every XSD construct the corpus exercises."""

from __future__ import annotations

import pytest

from b2b_openapi.codec import jsonxml
from b2b_openapi.openapi.examples import synthesize
from support import MessageCase, decimal_facets, document, message_cases

CASES = [c for c in message_cases() if c.kind in ("input", "output")]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_synthesized_example_is_valid_json_and_xml(case: MessageCase) -> None:
    # numbers as the build has them (exact decimals), not as yaml.safe_load reads them
    schemas = decimal_facets(document(case.service.id.full_name)["components"]["schemas"])
    schema = decimal_facets(case.openapi_schema)
    value = synthesize(schema, schemas)
    errors = [e.message for e in case.validator().iter_errors(value)]
    assert errors == [], errors
    assert synthesize(schema, schemas) == value  # deterministic
    xml = jsonxml.encode(case.xsd_element, value)
    case.xsd_element.validate(xml)
    assert jsonxml.decode(case.xsd_element, xml) == value


def test_an_authors_example_wins_and_standard_formats_get_valid_values() -> None:
    """A third-party document's own ``example`` keywords are used as they are; a uuid or an
    email without one still gets a value its format accepts (the mock servers check
    standard formats of header parameters)."""
    import uuid

    assert synthesize({"type": "string", "example": "as written", "default": "d"}, {}) == (
        "as written")
    assert synthesize({"type": "string", "default": "d"}, {}) == "d"
    uuid.UUID(synthesize({"type": "string", "format": "uuid"}, {}))
    assert "@" in synthesize({"type": "string", "format": "email"}, {})

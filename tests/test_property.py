"""Property: any JSON the emitted OpenAPI schema accepts encodes to XSD-valid XML (or, when
its text holds characters XML cannot carry, is refused with ValueError, as documented).

hypothesis-jsonschema generates instances of each message schema taken from the emitted
document.  The schema is translated from OpenAPI 3.0 to plain JSON Schema first ($ref
inlined to a bounded depth, ``nullable`` -> ``null`` type).  Two generation aids do not
change what is valid: values of the date/time/duration/base64 formats and of decimals are
produced by strategies that respect the format (hypothesis cannot invert those regexes
efficiently), and wildcard objects (``additionalProperties: true``) are closed, because
arbitrary extra keys are by definition content the schema says nothing about (an object
that *requires* such content is therefore not generated; the samples cover it); arrays are
capped at a few items to keep instances small (a shorter array is still valid).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from b2b_openapi.codec import jsonxml
from support import MessageCase, document, message_cases
from xsd_strategies import FORMATS

DEC_TAG = "\x00dec:"
MAX_DEPTH = 2
MAX_ITEMS = 2
_DROP = {"description", "example", "examples", "xml", "default", "title", "externalDocs"}


def _decimal_strategy(fmt: str) -> st.SearchStrategy[str]:
    _, frac, total, lo, hi = fmt.split("|")
    digits = int(frac) if frac else 4
    scale = Decimal(1).scaleb(-digits)
    bound = Decimal(10) ** (int(total) - digits) - scale if total else Decimal("1e9")
    low = max(Decimal(lo), -bound) if lo else -bound
    high = min(Decimal(hi), bound) if hi else bound
    return st.integers(int((low / scale).to_integral_value("ROUND_CEILING")),
                       int((high / scale).to_integral_value("ROUND_FLOOR"))).map(
        lambda k: DEC_TAG + str(Decimal(k).scaleb(-digits)))




class _Translator:
    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components
        self.formats: dict[str, st.SearchStrategy[str]] = dict(FORMATS)

    def __call__(self, schema: Any, stack: tuple[str, ...] = ()) -> Any:
        if not isinstance(schema, dict):
            return schema
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if stack.count(name) >= MAX_DEPTH:
                return {"not": {}}
            return self(self.components[name], (*stack, name))
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key in _DROP or key.startswith("x-") or key == "nullable":
                continue
            if key == "properties":
                out[key] = {k: self(v, stack) for k, v in value.items()}
            elif key in ("items", "not"):
                out[key] = self(value, stack)
            elif key in ("allOf", "anyOf", "oneOf"):
                out[key] = [self(v, stack) for v in value]
            elif key == "additionalProperties":
                out[key] = False
                if schema.get("minProperties", 0) > len(schema.get("properties", {})):
                    return {"not": {}}  # needs wildcard content: not generated (samples cover it)
            else:
                out[key] = value
        if out.get("type") == "number" and "enum" not in out and (
                schema.get("x-xsd-type") == "xs:decimal"):
            fmt = "dec|{}|{}|{}|{}".format(
                schema.get("x-xsd-fraction-digits", ""), schema.get("x-xsd-total-digits", ""),
                _bound(schema, "minimum", "exclusiveMinimum", +1),
                _bound(schema, "maximum", "exclusiveMaximum", -1))
            self.formats[fmt] = _decimal_strategy(fmt)
            out = {"type": "string", "format": fmt}
        elif out.get("format") in FORMATS and "enum" not in out:
            out = {"type": "string", "format": out["format"]}
        if out.get("type") == "array":  # keep instances small: fewer items stay valid
            out["maxItems"] = min(out.get("maxItems", MAX_ITEMS), max(out.get("minItems", 0),
                                                                       MAX_ITEMS))
        if schema.get("nullable"):
            out = {"anyOf": [{"type": "null"}, out]}
        return out


def _bound(schema: dict[str, Any], key: str, exclusive: str, step: int) -> str:
    if key not in schema:
        return ""
    value = Decimal(repr(schema[key])) if isinstance(schema[key], float) else Decimal(
        schema[key])
    if schema.get(exclusive):
        value += step * Decimal(1).scaleb(-int(schema.get("x-xsd-fraction-digits", 4)))
    return str(value)


def _untag(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _untag(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untag(v) for v in value]
    if isinstance(value, str) and value.startswith(DEC_TAG):
        return Decimal(value[len(DEC_TAG):])
    return value


CASES = message_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_generated_json_encodes_to_valid_xml(case: MessageCase) -> None:
    translate = _Translator(document(case.service.id.full_name)["components"]["schemas"])
    schema = translate(case.openapi_schema)
    strategy = from_schema(schema, custom_formats=translate.formats)
    element = case.xsd_element
    validator = case.validator()

    @given(strategy)
    def encodes(value: Any) -> None:
        value = _untag(value)
        errors = [e.message for e in validator.iter_errors(value)]
        assert errors == [], "generator left the emitted schema"  # guards the translation
        if jsonxml.xml_text_errors(value):  # text no XML can carry: refused, as documented
            with pytest.raises(ValueError, match="not allowed in XML"):
                jsonxml.encode(element, value)
            value = _xml_text(value)  # then the same instance with those characters replaced
            if any(True for _ in validator.iter_errors(value)):
                return
        xml = jsonxml.encode(element, value)  # strict: raises if not XSD-valid
        element.validate(xml)
        _assert_contained(value, jsonxml.decode(element, xml))

    encodes()


def _xml_text(value: Any) -> Any:
    """``value`` with every character XML cannot carry replaced by U+FFFD."""
    if isinstance(value, str):
        return jsonxml.NOT_XML_CHAR.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_xml_text(k): _xml_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_xml_text(v) for v in value]
    return value


def _assert_contained(sent: Any, received: Any, path: str = "") -> None:
    """What was sent comes back (decoding may add defaulted attributes and elements)."""
    if isinstance(sent, dict):
        assert isinstance(received, dict), path
        for key, value in sent.items():
            if value == []:  # an empty array is no occurrence: the key may vanish
                assert received.get(key, []) == [], f"{path}/{key}"
                continue
            assert key in received, f"{path}/{key} lost"
            _assert_contained(value, received[key], f"{path}/{key}")
    elif isinstance(sent, list):
        assert isinstance(received, list) and len(received) == len(sent), path
        for i, (a, b) in enumerate(zip(sent, received, strict=True)):
            _assert_contained(a, b, f"{path}[{i}]")
    else:
        assert sent == received or (sent == "" and received is not None), (path, sent, received)

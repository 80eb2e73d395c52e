"""A generated server's view of its OpenAPI document: operations, schemas, validators."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from jsonschema import ValidationError, validators
from openapi_schema_validator import OAS30Validator

from b2b_openapi.codec.jsonio import escape_surrogates, load_yaml, to_text
from b2b_openapi.emit.view import OperationView, service_view
from b2b_openapi.runtime import verdict
from b2b_openapi.runtime.keywords import XSD_FORMATS, is_multiple_of, python_regex

ERROR_SCHEMA = "#/components/schemas/Error"

SHOWN_CHARS = 100  # a value quoted in an error message, at most (then "...")
MESSAGE_CHARS = 400  # a whole message, at most: keys and names are caller text too
_QUOTABLE = (str, int, float, Decimal, list, dict, type(None))  # JSON data, hashable reprs


def clip(text: str, limit: int = MESSAGE_CHARS) -> str:
    """``text`` fit for an error answer: cut to ``limit`` characters, saying how long it
    was, and each lone surrogate (JSON can write one, UTF-8 cannot) as its ``\\uXXXX``
    escape, as a JSON string would spell it."""
    text = text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"
    return escape_surrogates(text)


def pointer(parts: Iterable[object]) -> str:
    """The location ``/a/0/b`` of a value in a request, as errors name it: each part (a
    caller's key can be 100 KB) cut at :data:`SHOWN_CHARS`, the whole at
    :data:`MESSAGE_CHARS`."""
    return clip("/" + "/".join(clip(str(part), SHOWN_CHARS) for part in parts))


def shown(value: Any) -> str:
    """A value as an error message quotes it: JSON text, as the caller wrote it (not a
    Python repr such as ``Decimal('1E+10')``), cut short: a 400 KB base64 string must not
    come back in the answer, let alone once per message."""
    try:
        text = to_text(value)
    except TypeError:  # not JSON data (never from a request): as Python has it
        text = str(value)
    return clip(text, SHOWN_CHARS)


def describe(error: ValidationError) -> str:
    """jsonschema's message for ``error`` with every value it quotes rendered by
    :func:`shown`: the instance, the keyword's value and its members (enum values, required
    names); unexpected keys listed in order, once.

    The message is jsonschema's fixed words between ``repr()`` s of those values, so each
    repr is swapped in one pass, the longest first where several start at one place: a
    swapped text is never searched again (``"'GEN'"`` is the caller's value, whose repr
    holds the enum member's ``'GEN'``)."""
    keyword, value, instance = error.validator, error.validator_value, error.instance
    if keyword == "type" and instance is None:
        return "null is not allowed here (not nullable)"
    if keyword == "additionalProperties" and value is False and isinstance(instance, dict):
        declared = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extras = [key for key in instance if key not in declared]
        return f"additional properties are not allowed: {shown(extras)}"
    quoted = [instance, value, *(value if isinstance(value, list) else ())]
    return clip(_swap(error.message, {repr(v): v for v in quoted if isinstance(v, _QUOTABLE)}))


def _swap(message: str, values: Mapping[str, Any]) -> str:
    """``message`` with each occurrence of a key of ``values`` (a repr) replaced by
    :func:`shown` of its value, left to right in one pass, the longest where several start
    at one place.  ``str.find`` does the searching: a regex of a 400 KB repr takes longer
    to compile than the whole request to validate."""
    out: list[str] = []
    start = 0
    found = {text: message.find(text) for text in values}
    while True:
        found = {text: at for text, at in found.items() if at >= 0}
        if not found:
            break
        text = min(found, key=lambda t: (found[t], -len(t)))
        at = found[text]
        out += [message[start:at], shown(values[text])]
        start = at + len(text)
        found = {t: a if a >= start else message.find(t, start) for t, a in found.items()}
    out.append(message[start:])
    return "".join(out)


def _multiple_of(validator: Any, step: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """Exact for any magnitude (jsonschema's ``Decimal % step`` raises DivisionImpossible
    once the quotient outgrows the decimal context, a 1e164 MW bid say) and fast for any
    exponent (see :func:`is_multiple_of`)."""
    if validator.is_type(instance, "number") and not is_multiple_of(instance, step):
        yield ValidationError(f"{shown(instance)} is not a multiple of {shown(step)}")


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    if validator.is_type(instance, "string") and not python_regex(pattern).search(instance):
        yield ValidationError(f"{shown(instance)} does not match {to_text(pattern)}")


Validator = validators.extend(  # type: ignore[no-untyped-call]
    OAS30Validator, {"multipleOf": _multiple_of, "pattern": _pattern})


@dataclass(frozen=True)
class Problem(Exception):
    """An error answer in the spec's problem+json shape (the ``Error`` schema)."""

    status: int
    title: str
    detail: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status, "title": self.title}
        if self.detail is not None:
            body["detail"] = self.detail
        body.update(self.extra)
        return body


# One operation of the document: the view every emitter shares (emit/view.py), under the
# name the runtime has always used.
Operation = OperationView


class ServiceSpec:
    """Operations by id, and cached validators against the document's components."""

    def __init__(self, document: Mapping[str, Any], source: Path | None = None) -> None:
        self.document = document
        self.source = source  # the file it was read from, for messages
        self.view = service_view(document)
        self.base_path = self.view.base_path
        self.components = document.get("components") or {}
        self.operations: dict[str, Operation] = {op.id: op for op in self.view.operations}
        self._validators: dict[int, Any] = {}
        # id -> (the schema, kept alive so that its id is not reused; its compiled check)
        self._checks: dict[int, tuple[Mapping[str, Any], verdict.Check | None]] = {}
        self._queries: dict[str, tuple[Operation, Mapping[str, Mapping[str, Any]],
                                       tuple[tuple[str, Mapping[str, Any]], ...]]] = {}

    @classmethod
    def load(cls, path: Path) -> ServiceSpec:
        return cls(load_yaml(path), path)

    def validator(self, schema: Mapping[str, Any]) -> Any:
        key = id(schema)
        if key not in self._validators:
            self._validators[key] = Validator({**schema, "components": self.components},
                                              format_checker=XSD_FORMATS)
        return self._validators[key]

    def check(self, schema: Mapping[str, Any]) -> verdict.Check | None:
        """``schema`` compiled once into a yes/no check with the validator's verdict
        (:mod:`.verdict`); None when only the validator can judge it."""
        key = id(schema)
        if key not in self._checks:
            self._checks[key] = (schema, verdict.compile_check(schema, self.components))
        return self._checks[key][1]

    def errors(self, schema: Mapping[str, Any], instance: Any) -> list[dict[str, str]]:
        """Every schema violation, as ``{"path": "/a/0/b", "message": ...}``, sorted, each
        once (OAS30Validator reports a null twice: not nullable, and not of the type).
        A valid instance is told by the compiled check alone; jsonschema, slower, runs
        for the messages of an invalid one."""
        check = self.check(schema)
        if check is not None and verdict.passes(check, instance):
            return []
        found = {
            (pointer(error.absolute_path), describe(error))
            for error in self.validator(schema).iter_errors(instance)
        }
        return [{"path": path, "message": message} for path, message in sorted(found)]

    def header_errors(self, op: Operation, headers: Mapping[str, str]) -> list[dict[str, str]]:
        """The operation's header parameters (a third-party document's): each required one
        present, each given one valid against its schema."""
        errors: list[dict[str, str]] = []
        for param in op.headers:
            name = param["name"]
            if name not in headers:
                if param.get("required"):
                    errors.append({"path": pointer(["header", name]),
                                   "message": "required header is missing"})
                continue
            try:
                value = _typed(headers[name], self.resolve(param.get("schema", {})))
            except ValueError as exc:
                errors.append({"path": pointer(["header", name]), "message": str(exc)})
                continue
            errors += [{"path": pointer(["header", name]) + e["path"].rstrip("/"),
                        "message": e["message"]}
                       for e in self.errors(param.get("schema", {}), value)]
        return errors

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.components["schemas"][name]
        return schema

    def _query_parameters(self, op: Operation) -> tuple[
            Mapping[str, Mapping[str, Any]], tuple[tuple[str, Mapping[str, Any]], ...]]:
        """``op``'s query parameters by name, and in XSD order (as the request element
        has them), found once per operation."""
        if op.id not in self._queries or self._queries[op.id][0] is not op:
            by_name = {p["name"]: p for p in op.parameters}
            ordered = tuple(sorted(by_name.items(),
                                   key=lambda kv: kv[1].get("x-xsd-order", 0)))
            self._queries[op.id] = (op, by_name, ordered)
        return self._queries[op.id][1:]

    def query_object(self, op: Operation, query: list[tuple[str, str]]) -> dict[str, Any]:
        """Query parameters as the request object: each value typed by its schema, an
        array parameter from its repeated values.  Raises :class:`Problem` (422)."""
        by_name, ordered = self._query_parameters(op)
        unknown = sorted({name for name, _ in query if name not in by_name})
        if unknown:
            raise Problem(422, "Unknown query parameter", f"not a parameter of {op.id}: "
                          + clip(", ".join(unknown), MESSAGE_CHARS),
                          {"errors": [{"path": pointer([n]), "message": "unknown parameter"}
                                      for n in unknown]})
        values: dict[str, Any] = {}
        for name, param in ordered:
            raw = [v for n, v in query if n == name]
            if not raw:
                continue
            schema = self.resolve(param["schema"])
            try:
                if schema.get("type") == "array":
                    items = self.resolve(schema.get("items", {}))
                    values[name] = [_typed(v, items) for v in raw]
                else:
                    if len(raw) > 1:
                        raise ValueError("given more than once")
                    values[name] = _typed(raw[0], schema)
            except ValueError as exc:
                raise Problem(422, "Invalid query parameter", f"{name}: {exc}",
                              {"errors": [{"path": f"/{name}", "message": str(exc)}]}) from None
        return values


def _typed(text: str, schema: Mapping[str, Any]) -> Any:
    """XSD lexical form -> the JSON value the convention uses for that schema type."""
    kind = schema.get("type")
    if kind == "integer":
        try:
            return int(text.strip())
        except ValueError:
            raise ValueError(f"{shown(text)} is not an integer") from None
    if kind == "number":
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            raise ValueError(f"{shown(text)} is not a decimal number") from None
        if not number.is_finite():
            raise ValueError(f"{shown(text)} is not a finite number")
        return number
    if kind == "boolean":
        lowered = text.strip()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise ValueError(f"{shown(text)} is not a boolean (true/false)")
    return text

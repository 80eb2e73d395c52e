"""Compare two OpenAPI documents of one service (e.g. CMRIv1 -> CMRIv2) into classified changes.

Operations are paired by path template (``/i/{id}`` and ``/i/{itemId}`` are one URL) and
method (a path's only method changing is a method change).  For each operation the security
requirements, the request (query and other parameters as one object, the body per media
type) and every response status (per media type, and its headers) are compared; each schema
pair is walked side by side (:mod:`b2b_openapi.diff.schema`).  The definitions of the
security schemes in use are compared once.  Classification is the rule table's
(:mod:`b2b_openapi.diff.rules`); these modules only find changes.

Change paths: the primary success response (the lowest success status on both sides, its
``application/json`` content) and the request body's primary media type are walked from
``""``; the parameters from ``""`` too unless the operation also has a body
(``"parameters:"``); other responses and media types from a prefix naming them
(``"400:"``, ``"200 application/xml:"``, ``"application/xml:"``).  ``a.b``, ``a[]``,
``a.*`` (additionalProperties) and ``a<1>`` (union member) go down from there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from b2b_openapi.diff.rules import Direction
from b2b_openapi.diff.schema import Change, Schema, Walker, deref, join, pointer, verb

__all__ = ["CannotCompare", "Change", "ExternalReference", "Report", "UnresolvedReference",
           "diff_documents"]

Alternative = frozenset[tuple[str, str | None]]  # a security alternative: (scheme, scope)
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_JSON = "application/json"
_PATH_PARAMETER = re.compile(r"\{[^{}/]*\}")
_OPENAPI_3_0 = re.compile(r"3\.0\.\d+")


class CannotCompare(ValueError):
    """A document this comparison cannot read faithfully: reporting "no change" (or any
    verdict) would be made up, so the caller must say "could not compare" instead.
    ``side``: "old" or "new"."""

    def __init__(self, side: str, message: str) -> None:
        super().__init__(message)
        self.side = side


class UnresolvedReference(CannotCompare):
    """A local ``$ref`` names nothing in its document."""

    def __init__(self, side: str, ref: str, where: str) -> None:
        super().__init__(side, f"unresolved reference {ref} (at {where})")
        self.ref, self.where = ref, where


class ExternalReference(CannotCompare):
    """A ``$ref`` to another document: only the two given documents are read, so what it
    names (an operation, a schema) would silently drop out of the comparison."""

    def __init__(self, side: str, ref: str, where: str) -> None:
        super().__init__(side, f"reference {ref} names another document, which diff does "
                               f"not read: cannot compare (at {where})")
        self.ref, self.where = ref, where


@dataclass
class Report:
    old_title: str
    new_title: str
    old_version: str
    new_version: str
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]

    def as_json(self) -> dict[str, Any]:
        return {
            "schemaVersion": 1,
            "old": {"title": self.old_title, "version": self.old_version},
            "new": {"title": self.new_title, "version": self.new_version},
            "summary": {"changes": len(self.changes), "breaking": len(self.breaking),
                        "nonBreaking": len(self.changes) - len(self.breaking)},
            "changes": [c.as_json() for c in self.changes],
        }


# ---------------------------------------------------------------------------- operations
def _operations(document: Schema) -> dict[tuple[str, str], tuple[str, Schema]]:
    """``{(template, "POST"): (path, operation)}``, path-level parameters merged into each.
    Paths are paired by their template (``/i/{}`` for ``/i/{id}``: a path parameter's name
    is not in the URL), unless two paths of the document share one."""
    paths = {path: _path_item(document, item)
             for path, item in (document.get("paths") or {}).items()
             if isinstance(item, Mapping) and not str(path).startswith("x-")}
    templates = [_template(path) for path in paths]
    found: dict[tuple[str, str], tuple[str, Schema]] = {}
    for path, item in paths.items():
        key = _template(path) if templates.count(_template(path)) == 1 else path
        for method in _METHODS:
            op = item.get(method)
            if isinstance(op, Mapping):
                parameters = _parameters(document, item.get("parameters", ()),
                                         op.get("parameters", ()))
                found[(key, method.upper())] = (path, {**op, "parameters": parameters})
    return found


def _path_item(document: Schema, item: Schema) -> Schema:
    """A Path Item with its ``$ref`` followed (a local one: :func:`_check_references`
    refused the others); fields written beside the ``$ref`` win over the referenced item's
    (the specification leaves that case undefined)."""
    if not isinstance(item.get("$ref"), str):
        return item
    target = deref(document, item)
    return {**(target if isinstance(target, Mapping) else {}),
            **{k: v for k, v in item.items() if k != "$ref"}}


def _template(path: str) -> str:
    return _PATH_PARAMETER.sub("{}", path)


def _renamed(old_path: str, new_path: str) -> dict[str, str]:
    """``{old name: new name}`` of the path parameters at the same template position."""
    pairs = zip(_PATH_PARAMETER.findall(old_path), _PATH_PARAMETER.findall(new_path),
                strict=False)
    return {a[1:-1]: b[1:-1] for a, b in pairs if a != b}


def _parameters(document: Schema, shared: Iterable[Any], own: Iterable[Any]) -> list[Schema]:
    """The operation's parameters, resolved; its own override the path's (name and in)."""
    merged: dict[tuple[Any, Any], Schema] = {}
    for parameter in (*shared, *own):
        parameter = deref(document, parameter)
        merged[(_name_key(parameter), parameter.get("in"))] = parameter
    return list(merged.values())


def _name_key(parameter: Schema) -> Any:
    """A parameter's name as it identifies it: header names are case-insensitive."""
    name = parameter.get("name")
    return name.lower() if parameter.get("in") == "header" and isinstance(name, str) else name


def _aligned(old: list[Schema], new: list[Schema], renamed: Mapping[str, str]
             ) -> list[Schema]:
    """The old parameters under the new names where only the spelling changed: a path
    parameter renamed at the same position (the URL is the same), a header in another case.
    Neither is a change a client can see."""
    spelled = {(_name_key(p), p.get("in")): p.get("name") for p in new}
    aligned = []
    for parameter in old:
        name = renamed.get(parameter.get("name", "")) if parameter.get("in") == "path" else None
        name = name or spelled.get((_name_key(parameter), parameter.get("in")))
        aligned.append({**parameter, "name": name} if name else parameter)
    return aligned


def _parameters_schema(parameters: list[Schema]) -> Schema:
    """The parameters as one object: a query parameter under its name, others under
    ``"<in> <name>"`` (``"header X-Request-Id"``); the XSD order kept for renames."""
    properties: dict[str, Any] = {}
    required = []
    for parameter in sorted(parameters, key=lambda p: p.get("x-xsd-order", 0)):
        where = parameter.get("in", "query")
        key = parameter.get("name", "") if where == "query" else \
            f"{where} {parameter.get('name', '')}"
        properties[key] = _parameter_value(parameter)
        if parameter.get("required"):
            required.append(key)
    return {"type": "object", "properties": properties, "required": required,
            "additionalProperties": False}


def _parameter_value(parameter: Schema) -> Schema:
    schema = parameter.get("schema")
    if schema is None:  # the content form: one media type
        media = next(iter(parameter.get("content", {}).values()), None) or {}
        schema = media.get("schema", {})
    extra = {k: parameter[k] for k in ("x-xsd-order", "description") if k in parameter
             and k not in schema}
    return {**schema, **extra}


def _moved(before: Iterable[tuple[str, str]], after: Iterable[tuple[str, str]]
           ) -> dict[tuple[str, str], str]:
    """``{(path, old method): new method}`` where a path's only method changed."""
    def by_path(keys: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
        methods: dict[str, list[str]] = {}
        for path, method in keys:
            methods.setdefault(path, []).append(method)
        return methods

    old, new = by_path(before), by_path(after)
    return {(path, methods[0]): new[path][0] for path, methods in old.items()
            if len(methods) == 1 and len(new.get(path, ())) == 1 and new[path] != methods}


def _operation(w: Walker, label: str, old: Schema, new: Schema,
               renamed: Mapping[str, str]) -> None:
    for key in ("summary", "description"):
        if old.get(key) != new.get(key):
            w.add("doc-changed", "operation", label, "", f"{label}: {key} changed",
                  old.get(key), new.get(key))
    old = {**old, "parameters": _aligned(old["parameters"], new["parameters"], renamed)}
    _security(w, label, old, new)
    _request(w, label, old, new)
    _responses(w, label, old, new)


def _document_notes(w: Walker) -> None:
    """The API's own documentation: ``info.description`` (under ``info``) and each tag's
    description (under ``tags``, tags paired by name).  Doc-only, but release notes
    should say the overview changed."""
    old_info, new_info = w.old.get("info") or {}, w.new.get("info") or {}
    if old_info.get("description") != new_info.get("description"):
        w.add("doc-changed", "document", "info", "description",
              f"description of the API {verb(old_info, new_info, 'description')}",
              old_info.get("description"), new_info.get("description"))
    before, after = _tags(w.old), _tags(w.new)
    for name, old in before.items():
        new = after.get(name)
        if new is not None and old.get("description") != new.get("description"):
            w.add("doc-changed", "document", "tags", name,
                  f"description of tag {name} {verb(old, new, 'description')}",
                  old.get("description"), new.get("description"))


def _tags(document: Schema) -> dict[str, Schema]:
    return {str(tag["name"]): tag for tag in document.get("tags") or ()
            if isinstance(tag, Mapping) and "name" in tag}


# ------------------------------------------------------------------------------ security
def _alternatives(security: Any) -> list[Alternative]:
    """Security requirement alternatives (any one suffices); none is one empty one."""
    found = [frozenset({(s, None) for s in alt} |
                       {(s, c) for s, cs in alt.items() for c in cs or ()})
             for alt in security or ()]
    return found or [frozenset()]


def _show_alternative(alternative: Alternative) -> str:
    parts = []
    for scheme in sorted({s for s, _ in alternative}):
        scopes = sorted(c for s, c in alternative if s == scheme and c)
        parts.append(f"{scheme}[{', '.join(scopes)}]" if scopes else scheme)
    return " + ".join(parts) or "anonymous"


def _security(w: Walker, label: str, old: Schema, new: Schema) -> None:
    """An old alternative gone breaks its clients unless a new one asks no more of them;
    one asking more (a scheme or scope added) breaks them too; a new alternative does not."""
    before = _alternatives(old.get("security", w.old.get("security")))
    after = _alternatives(new.get("security", w.new.get("security")))
    added = [a for a in after if a not in before]
    for alt in (a for a in before if a not in after):
        easier = next((a for a in after if a < alt), None)
        harder = next((a for a in added if a > alt), None)
        kind, other = ("security-scheme-removed", easier) if easier is not None else \
            ("security-scheme-added", harder) if harder is not None else \
            ("security-alternative-removed", None)
        if other in added:
            added.remove(other)
        shown = [_show_alternative(alt), None if other is None else _show_alternative(other)]
        message = f"security alternative {shown[0]} " + (
            "removed" if other is None else f"now {shown[1]}")
        w.add(kind, "request", label, "", message, *shown)
    for alt in added:
        w.add("security-alternative-added", "request", label, "",
              f"security alternative {_show_alternative(alt)} added", None,
              _show_alternative(alt))


def _definitions(w: Walker) -> None:
    """The security schemes the old document uses, as each document defines them: clients
    send credentials as the definition says, so changing how is breaking (reported once,
    under ``components``, like a change to a shared schema)."""
    before, after = _schemes(w.old), _schemes(w.new)
    for name in sorted(_used_schemes(w.old)):
        if name not in before:
            continue  # never defined: nothing a client could follow
        where = f"securitySchemes.{name}"
        if name not in after:
            w.add("security-definition-changed", "request", "components", where,
                  f"security scheme {name} is no longer defined", name, None)
            continue
        for key, was, now in _scheme_changes(before[name], after[name]):
            w.add("security-definition-changed", "request", "components", where,
                  f"security scheme {name}: {key} {was} -> {now}", was, now)


def _schemes(document: Schema) -> dict[str, Schema]:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    return {str(name): deref(document, scheme) or {} for name, scheme in schemes.items()}


def _used_schemes(document: Schema) -> set[str]:
    requirements = [*(document.get("security") or ())]
    for _, op in _operations(document).values():
        requirements += op.get("security") or ()
    return {str(name) for requirement in requirements for name in requirement or {}}


def _scheme_changes(old: Schema, new: Schema) -> list[tuple[str, Any, Any]]:
    """``(field, old value, new value)`` of each field of the definition that changed;
    header names and HTTP schemes are case-insensitive."""
    a, b = _scheme_fields(old), _scheme_fields(new)
    folded = {"scheme"} | ({"name"} if a.get("in") == b.get("in") == "header" else set())

    def same(key: str, x: Any, y: Any) -> bool:
        if key in folded and isinstance(x, str) and isinstance(y, str):
            return x.lower() == y.lower()
        return bool(x == y)

    return [(k, a.get(k), b.get(k)) for k in dict.fromkeys([*a, *b])
            if not same(k, a.get(k), b.get(k))]


def _scheme_fields(scheme: Schema) -> dict[str, Any]:
    """What a client authenticates by: the scheme's type, where the key goes, the HTTP
    scheme, the OpenID and OAuth URLs."""
    fields = {k: scheme[k] for k in ("type", "in", "name", "scheme", "openIdConnectUrl")
              if k in scheme}
    for flow, settings in (scheme.get("flows") or {}).items():
        for key in ("authorizationUrl", "tokenUrl"):
            if key in (settings or {}):
                fields[f"flows.{flow}.{key}"] = settings[key]
    return fields


# ------------------------------------------------------------------------------- request
def _request(w: Walker, label: str, old: Schema, new: Schema) -> None:
    """The parameters as one object, then the body: present, required, its content."""
    old_body, new_body = (deref(doc, op.get("requestBody")) for doc, op in
                          ((w.old, old), (w.new, new)))
    if old["parameters"] or new["parameters"]:
        root = "parameters:" if old_body or new_body else ""
        w.compare(_parameters_schema(old["parameters"]), _parameters_schema(new["parameters"]),
                  label, root, "request")
    if old_body is None and new_body is None:
        return
    if old_body is None or new_body is None:
        kind = "body-removed" if new_body is None else \
            "body-added-required" if new_body.get("required") else "body-added-optional"
        w.add(kind, "request", label, "", "request body " + (
            "removed" if new_body is None else f"added ({kind.rsplit('-', 1)[1]})"))
        return
    was, now = bool(old_body.get("required")), bool(new_body.get("required"))
    if was != now:
        w.add("required-added" if now else "required-removed", "request", label, "",
              f"request body is now {'required' if now else 'optional'}")
    if old_body.get("description") != new_body.get("description"):
        w.add("doc-changed", "request", label, "", "description of the request body changed",
              old_body.get("description"), new_body.get("description"))
    _contents(w, label, "request", "", old_body, new_body)


# ----------------------------------------------------------------------------- responses
def _responses(w: Walker, label: str, old: Schema, new: Schema) -> None:
    """Statuses added and removed, then each common one, the primary success one first."""
    before, after = _statuses(w.old, old), _statuses(w.new, new)
    primary = next((s for s in sorted(before) if _success(s) and s in after), None)
    for status in before:
        if status not in after:
            kind = "success-status-removed" if _success(status) else "error-status-removed"
            w.add(kind, "response", label, status, f"response {status} removed")
    for status in after:
        if status not in before:
            kind = "success-status-added" if _success(status) else "error-status-added"
            w.add(kind, "response", label, status, f"response {status} added")
    common = sorted(s for s in before if s in after)
    for status in sorted(common, key=lambda s: s != primary):  # the primary one first
        a, b = before[status], after[status]
        if a.get("description") != b.get("description"):
            w.add("doc-changed", "response", label, status,
                  f"description of response {status} changed", a.get("description"),
                  b.get("description"))
        _contents(w, label, "response", "" if status == primary else status, a, b, status)
        _headers(w, label, status, "" if status == primary else f"{status}:", a, b)


def _headers(w: Walker, label: str, status: str, base: str, old: Schema, new: Schema) -> None:
    """A response's headers (by name, case-insensitively): added, removed, their
    requiredness and schemas (compared as ``header Retry-After`` under the status)."""
    before, after = _header_map(w.old, old), _header_map(w.new, new)
    for key, (name, _) in before.items():
        if key not in after:
            w.add("header-removed", "response", label, join(base, f"header {name}"),
                  f"response {status}: header {name} removed", name, None)
    for key, (name, _) in after.items():
        if key not in before:
            w.add("header-added", "response", label, join(base, f"header {name}"),
                  f"response {status}: header {name} added", None, name)
    for key, (_, a) in before.items():
        if key in after:
            name, b = after[key]
            where = join(base, f"header {name}")
            was, now = bool(a.get("required")), bool(b.get("required"))
            if was != now:
                w.add("required-added" if now else "required-removed", "response", label,
                      where, f"response {status}: header {name} is now "
                      f"{'always sent' if now else 'optional'}")
            w.compare(_parameter_value(a), _parameter_value(b), label, where, "response")


def _header_map(document: Schema, response: Schema) -> dict[str, tuple[str, Schema]]:
    """``{lower-case name: (name, header)}``; Content-Type is the media type's, not one."""
    return {str(name).lower(): (str(name), deref(document, header) or {})
            for name, header in (response.get("headers") or {}).items()
            if str(name).lower() != "content-type"}


def _statuses(document: Schema, operation: Schema) -> dict[str, Schema]:
    """``{"200": response}`` (YAML may read an unquoted status as a number)."""
    return {str(status): deref(document, response) or {}
            for status, response in (operation.get("responses") or {}).items()
            if not str(status).startswith("x-")}


def _success(status: str) -> bool:
    return status.startswith("2")


def _contents(w: Walker, label: str, d: Direction, base: str, old: Schema, new: Schema,
              status: str = "") -> None:
    """A request body's or response's content, media type by media type.  ``base`` is the
    change path prefix of the primary media type ("" or "400")."""
    before, after = old.get("content") or {}, new.get("content") or {}
    where = f"response {status}" if status else "request body"
    for media in before:
        if media not in after:
            w.add("media-type-removed", d, label, status, f"{where}: {media} removed", media)
    for media in after:
        if media not in before:
            w.add("media-type-added", d, label, status, f"{where}: {media} added", None, media)
    common = [m for m in before if m in after]
    main = _JSON if _JSON in common else next(iter(common), None)
    for media in common:
        prefix = base if media == main else f"{status} {media}".strip()
        w.compare((before[media] or {}).get("schema", {}), (after[media] or {}).get("schema", {}),
                  label, f"{prefix}:" if prefix else "", d)


# ---------------------------------------------------------------------------------- entry
_MISSING: Any = object()
# What a key means depends on the object it is in.  In an OpenAPI or Schema object keys are
# keywords: examples, defaults, enums and extensions hold data, never references.  Under the
# keywords below they are names an author chose (a property, a media type, a status, a
# component), so a property called "example" or "x-id" is walked like any other.
_KEYWORDS, _NAMES, _STATUSES, _COMPONENTS = "keywords", "names", "statuses", "components"
_LITERALS = frozenset({"example", "examples", "default", "enum", "const"})
_NAME_MAPS = frozenset({"properties", "patternProperties", "definitions", "$defs",
                        "dependentSchemas", "content", "encoding", "headers", "links",
                        "callbacks", "variables"})


def _check_version(document: Schema, side: str) -> None:
    """Only OpenAPI 3.0 is compared: Swagger 2.0 puts bodies and response schemas
    elsewhere, and OpenAPI 3.1 schemas say null, exclusive bounds and siblings of ``$ref``
    differently; read as 3.0, either would quietly miss changes."""
    version = document.get("openapi")
    if isinstance(version, str) and _OPENAPI_3_0.fullmatch(version):
        return
    found = f"swagger: {document['swagger']}" if "swagger" in document else \
        f"openapi: {version}" if "openapi" in document else "no openapi field"
    raise CannotCompare(side, f"not an OpenAPI 3.0 document ({found}); diff compares "
                              "`openapi: 3.0.x` documents only")


def _check_references(document: Schema, side: str) -> None:
    """Every ``$ref`` is local and resolves (:class:`ExternalReference`,
    :class:`UnresolvedReference` otherwise): followed lazily, one that does not would
    silently read as an empty schema or drop what it names.  What a reference names is
    checked too, wherever it sits (a path item kept under an ``x-`` key)."""
    todo: list[tuple[str, Any]] = [("#", document)]
    followed = {"#"}
    while todo:
        base, node = todo.pop(0)
        for ref, where in _references(node, base, _KEYWORDS):
            if not ref.startswith("#"):
                raise ExternalReference(side, ref, where)
            target = pointer(document, ref, _MISSING)
            if target is _MISSING:
                raise UnresolvedReference(side, ref, where)
            if ref not in followed:
                followed.add(ref)
                todo.append((ref, target))


def _references(node: Any, where: str, kind: str) -> Iterator[tuple[str, str]]:
    """Each ``$ref`` under ``node`` (an object of ``kind``) with its location (a JSON
    pointer)."""
    if isinstance(node, list):
        for index, value in enumerate(node):
            yield from _references(value, f"{where}/{index}", _KEYWORDS)
        return
    if not isinstance(node, Mapping):
        return
    if kind == _KEYWORDS and isinstance(node.get("$ref"), str):
        yield node["$ref"], where
    for key, value in node.items():
        inner = _inner_kind(kind, str(key))
        if inner is not None:
            step = str(key).replace("~", "~0").replace("/", "~1")
            yield from _references(value, f"{where}/{step}", inner)


def _inner_kind(kind: str, key: str) -> str | None:
    """What the value under ``key`` of an object of ``kind`` is; None: data, not walked."""
    if kind == _NAMES:
        return _KEYWORDS
    extension = key.startswith("x-")
    if kind == _STATUSES:  # "default" is a status there
        return None if extension else _KEYWORDS
    if kind == _COMPONENTS:  # named schemas, responses...; examples are data
        return None if extension or key == "examples" else _NAMES
    if extension or key in _LITERALS:
        return None
    return {"responses": _STATUSES, "components": _COMPONENTS}.get(
        key, _NAMES if key in _NAME_MAPS else _KEYWORDS)


def diff_documents(old: Schema, new: Schema) -> Report:
    """Every change from ``old`` to ``new``, classified; :class:`CannotCompare` when either
    is not an OpenAPI 3.0 document or has a ``$ref`` that is not local or names nothing."""
    for document, side in ((old, "old"), (new, "new")):
        _check_version(document, side)
        _check_references(document, side)
    walker = Walker(old, new)
    before, after = _operations(old), _operations(new)
    moved = _moved(before, after)
    _definitions(walker)
    for (key, method), (path, op) in before.items():
        label = f"{method} {path}"
        if (key, method) in moved:
            walker.add("operation-method-changed", "operation", label, "",
                       f"{path}: {method} -> {moved[key, method]}", method, moved[key, method])
        elif (key, method) in after:
            new_path, new_op = after[key, method]
            _operation(walker, f"{method} {new_path}", op, new_op, _renamed(path, new_path))
        else:
            walker.add("operation-removed", "operation", label, "", f"{label} removed")
    arrived = {(key, method) for (key, _), method in moved.items()}
    for (key, method), (path, _) in after.items():
        if (key, method) not in before and (key, method) not in arrived:
            walker.add("operation-added", "operation", f"{method} {path}", "",
                       f"{method} {path} added")
    _document_notes(walker)
    info_old, info_new = old.get("info") or {}, new.get("info") or {}
    return Report(str(info_old.get("title", "")), str(info_new.get("title", "")),
                  str(info_old.get("version", "")), str(info_new.get("version", "")),
                  walker.changes)

"""Sample values for a document that carries no ``examples``: what the Postman requests send
and the mock servers answer for a third-party document (docs/third-party.md).

The project's own documents carry sample instances (``examples`` from the corpus); a
document written elsewhere may have only ``example`` keywords on its schemas and parameters,
or nothing.  A sample is then built from the schema by the spec stage's synthesizer
(:func:`b2b_openapi.openapi.examples.synthesize`): its ``example``, else ``default``, else
the first ``enum`` value, else a value its facets allow.  Deterministic: same schema, same
sample.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from b2b_openapi.openapi.examples import synthesize


def first_example(container: Mapping[str, Any]) -> tuple[bool, Any]:
    """(found, value) of a media type or parameter object's own ``examples``/``example``."""
    examples = container.get("examples") or {}
    for example in examples.values():
        if isinstance(example, Mapping) and "value" in example:
            return True, example["value"]
    if "example" in container:
        return True, container["example"]
    return False, None


def schema_example(schema: Mapping[str, Any] | None, components: Mapping[str, Any]) -> Any:
    """A value for ``schema``: the spec stage's synthesizer, which takes a schema's own
    ``example`` (or ``default``, or first ``enum`` value) first and builds the rest from the
    facets, so a third-party document gets the same deterministic values as ours."""
    if not isinstance(schema, Mapping):
        return {}
    return synthesize(schema, components)

"""Loaded by schemathesis (SCHEMATHESIS_HOOKS): how to generate the specs' XSD formats."""

import schemathesis

from xsd_strategies import FORMATS

for _name, _strategy in FORMATS.items():
    schemathesis.openapi.format(_name, _strategy)

"""Spec -> pydantic models (datamodel-code-generator): schemas the corpus does not have."""

from __future__ import annotations

import importlib.util
import re
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import ValidationError

from b2b_openapi.emit import models as codegen
from b2b_openapi.openapi import stage as specs
from support import MINI_NS, mini_corpus

CAPACITY = '<xs:element name="capacity" type="xs:decimal"/>'
# element names that are also type names, each use copied inline by the spec (OpenAPI 3.0
# ignores a $ref's siblings): nillable element-only content, simple content with a default;
# and a plain use of each type, so that its component is emitted (only reached ones are)
USES = """
        <xs:element name="amount" type="Amount" nillable="true" minOccurs="0"/>
        <xs:element name="price" type="Price" default="7" minOccurs="0"/>
        <xs:element name="total" type="Amount" minOccurs="0"/>
        <xs:element name="listPrice" type="Price" minOccurs="0"/>"""
TYPES = """  <xs:complexType name="Amount">
    <xs:sequence><xs:element name="value" type="xs:decimal"/></xs:sequence>
  </xs:complexType>
  <xs:complexType name="Price">
    <xs:simpleContent><xs:extension base="xs:decimal">
      <xs:attribute name="currency" type="xs:string"/>
    </xs:extension></xs:simpleContent>
  </xs:complexType>
</xs:schema>"""
OUTPUT = (f'<Widget xmlns="{MINI_NS}"><widgetId>W001</widgetId><capacity>1</capacity>'
          '<amount xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>'
          '<price currency="USD">7</price></Widget>\n')


def _with_shared_names(xsd: str) -> str:
    assert CAPACITY in xsd
    return xsd.replace(CAPACITY, CAPACITY + USES).replace("</xs:schema>", TYPES)


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    root: Path = tmp_path_factory.mktemp("corpus")
    spec = specs.render(mini_corpus(root, _with_shared_names, OUTPUT))
    path = root / "widget_models.py"
    path.write_text(codegen.generate_models(spec.document).source)
    loader = importlib.util.spec_from_file_location("widget_models", path)
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    sys.modules["widget_models"] = module  # pydantic resolves the annotations through it
    loader.loader.exec_module(module)
    return module


def test_an_inline_copy_named_like_a_component_gets_its_own_class(models: ModuleType) -> None:
    """The generator used to name the copy after its property (``Amount``), the component's
    own class name, and stop: every client build of such a service failed."""
    widget = models.Widget
    fields: dict[str, Any] = widget.model_fields
    assert fields["amount"].annotation == models.WidgetAmount | None
    assert fields["total"].annotation == models.Amount | None  # the plain use: the component
    assert fields["price"].annotation == models.WidgetPrice | None
    assert fields["listPrice"].annotation == models.Price | None


def test_the_renamed_models_accept_what_the_spec_accepts(models: ModuleType) -> None:
    body = {"widgetId": "W001", "capacity": Decimal("1"), "amount": None,
            "price": {"@currency": "USD", "$": Decimal("7")},
            "total": {"value": Decimal("2.5")}}
    widget = models.Widget.model_validate(body)
    assert widget.amount is None and widget.total.value == Decimal("2.5")
    assert widget.model_dump(by_alias=True, exclude_none=True)["price"] == {
        "@currency": "USD", "$": Decimal("7")}
    assert models.Widget.model_validate(
        {**body, "amount": {"value": Decimal("3")}}).amount.value == Decimal("3")
    with pytest.raises(ValidationError):
        models.Widget.model_validate({**body, "amount": {"value": "not a number"}})


def test_corpus_models_keep_the_generators_own_names() -> None:
    """Only clashing inline models are renamed: the bundled corpus has none, so its class
    names are the ones datamodel-code-generator chooses (``BidCurve_1``, inline in
    ``EnergyBidComponent``, renamed by it because a field is called ``BidCurve``)."""
    from support import document

    source = codegen.generate_models(document("RetrieveCleanBidSet_SIBRv5")).source
    classes = set(re.findall(r"^class (\w+)\(", source, re.M))
    assert {"BidCurve_1", "SelfSchedule_1", "EnergyBidComponent_1"} <= classes
    assert not any(name.startswith("EnergyBidComponentBid") for name in classes)

"""Stage 1: WSDL + XSD artifacts -> the intermediate model."""

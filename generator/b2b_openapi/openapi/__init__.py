"""Stage 2: the intermediate model -> OpenAPI 3.0.3 documents."""

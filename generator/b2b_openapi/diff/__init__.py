"""Diff reports between two OpenAPI documents: pairing, schema walk, rules, reports."""

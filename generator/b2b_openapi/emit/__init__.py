"""Stage 3: OpenAPI documents -> clients, servers, Postman collections, portal."""

"""What generated servers run on: spec loading, validation, auth, mock, gateway, SOAP mock.

Generated server apps (``build/servers/...``) are thin: their routes call into this package,
so the behaviour they share is written and tested once.
"""

"""``python -m b2b_openapi`` is the ``b2b-openapi`` command."""

from b2b_openapi.cli import main

main()

"""``python -m b2b_openapi`` is the ``b2b-openapi`` command."""

from .cli import main

main()

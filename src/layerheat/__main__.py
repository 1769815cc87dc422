"""``python -m layerheat``: the same as the ``layerheat`` command."""

from .cli import main

main()

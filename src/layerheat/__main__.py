"""``python -m layerheat``: the same as the ``layerheat`` command."""

from .cli import main

if __name__ == "__main__":
    main()

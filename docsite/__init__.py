"""The documentation site's own code (not shipped in the wheel): what ``mkdocs build`` generates
from amsync's code (``hooks.py``, ``reference.py``, ``exit_codes.py``) and the runner of the
examples in the pages (``examples.py``; ``tests/docs/`` runs it)."""

"""amsync: a complete, queryable, versioned copy of your Apple Music library on your own disk."""

__version__ = "0.1.0"

# The documentation site (built from docs/ with MkDocs; `mkdocs serve` in a checkout serves it
# locally). `amsync --help` ends with it; messages point at its pages.
DOCS_URL = "https://example.invalid/amsync/docs/"

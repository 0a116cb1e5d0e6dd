"""amsync: a complete, queryable, versioned copy of your Apple Music library on your own disk."""

__version__ = "0.1.0"

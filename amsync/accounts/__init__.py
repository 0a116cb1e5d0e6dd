"""Accounts: the mirrored libraries in one database — list (``listing``, plain SQL on a
``Reader``, no SQLAlchemy), add and remove (``editing``)."""

"""What a sync can do to a mirrored item, as the change log (``item_changes``) records it."""

from __future__ import annotations

from typing import Final

CHANGE_KINDS: Final = ("added", "changed", "removed", "revived")

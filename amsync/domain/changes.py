"""What a sync can do to a mirrored item, as the change log (``item_changes``) records it."""

from __future__ import annotations

from typing import Final

CHANGE_KINDS: Final = ("added", "changed", "removed", "revived")
PLAYLIST_CHANGE_KINDS: Final = ("left", "joined", "renamed", "created")
"""What ``amsync history`` says of a playlist revision: tracks that left or joined it, a new
name, a new playlist."""
HISTORY_KINDS: Final = CHANGE_KINDS + PLAYLIST_CHANGE_KINDS
"""Every kind ``amsync history`` prints, and so takes in ``--change``."""

"""Lost songs (issue 24): what Apple took away — or what left otherwise — why, a playable
replacement, and putting it back.

- ``detection``: finds losses in a sync's own change set, inside its transaction
  (``mirror_reads``: its queries);
- ``causes``: the pure cause classifier (withdrawn, unplayable, removed, unknown) and its
  evidence; ``departures``: which tracks left a playlist between two revisions;
- ``settle``: after a sync, checks what the sync could not see and looks for replacements
  (``replacement``: the pure chooser — same ISRC, else a search on title and artist);
- ``listing``: ``amsync lost`` and ``lost_v`` on the fast read path;
- ``restore_plan`` (pure) and ``restore``: ``amsync lost restore`` — add, append, read back.
"""

"""Offline queries over the mirror: read-only SQL, full-text search, stats, history, playlists
and health checks. Functions return plain reports; they never print."""

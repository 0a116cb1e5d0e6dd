"""The sync: complete listings from Apple → a plan → one atomic change of the mirror."""

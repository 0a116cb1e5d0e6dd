"""The tables of migration 0001, by concept (created in dependency order by the revision)."""

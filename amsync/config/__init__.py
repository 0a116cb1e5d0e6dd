"""Settings and credentials: where amsync reads its configuration from."""

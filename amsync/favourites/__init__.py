"""Favourites: three-way state (remote, base, local), plans and pushes to Apple Music."""

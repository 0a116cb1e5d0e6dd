"""``python -m amsync`` runs the command-line interface."""

from amsync.cli import main

main()

"""``python -m mockmic`` runs the command line."""

from .cli import main

main()

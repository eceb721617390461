"""``python -m approxlab`` runs the command line."""

from approxlab.cli import main

main()

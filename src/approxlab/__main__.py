"""``python -m approxlab`` runs the command line."""

import sys

try:
    from approxlab.cli import main
except KeyboardInterrupt:  # Ctrl-C while torch is still importing: one line, as in main()
    print("interrupted: nothing was written", file=sys.stderr)
    sys.exit(130)

main()

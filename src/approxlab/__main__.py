"""``python -m approxlab`` runs the command line."""

import os
import sys

try:
    from approxlab.cli import main
except KeyboardInterrupt:  # Ctrl-C while the CLI is still importing: one line, as in main()
    print("interrupted: nothing was written", file=sys.stderr)
    sys.stderr.flush()
    os._exit(130)  # not sys.exit: see approxlab.cli.interrupted

main()

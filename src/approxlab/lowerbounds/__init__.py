"""Lower bounds on network size, each next to a construction that meets it: depth (:mod:`.depth`)."""

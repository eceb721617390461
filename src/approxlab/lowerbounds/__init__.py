"""Lower bounds on network size: depth (:mod:`.depth`), for x² beside the folding construction that meets it, and
for e^x beside interpolants and trained nets."""

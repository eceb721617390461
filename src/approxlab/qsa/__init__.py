"""The q-sparse averaging task and the three architectures of seed 003's comparison.

- :mod:`approxlab.qsa.task`: qSA, its seeded generator, the token features, the ε measure;
- :mod:`approxlab.qsa.models`: FC, RNN (m numbers or m bits) and softmax attention;
- :mod:`approxlab.qsa.separation`: the smallest trained size reaching ε, by N, by the fair protocol;
- the attention construction lives with the others in :mod:`approxlab.construct.attention`.
"""

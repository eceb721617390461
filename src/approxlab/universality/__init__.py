"""Universality of one hidden layer, exercised: Hornik's theorem for several σ (:mod:`.hornik`), and its price in
units, the curse of dimensionality against Barron's escape (:mod:`.curse`)."""

"""Universality of one hidden layer, exercised: Hornik's theorem for several σ (:mod:`.hornik`)."""

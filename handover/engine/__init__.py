"""The pure validation engine: ticket document in, verdict and actions out."""

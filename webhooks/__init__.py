"""The signed webhook receiver: verify, parse, store, enqueue, answer 202."""

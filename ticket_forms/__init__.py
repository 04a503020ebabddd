"""Per-language labels, messages and vocabulary of the request types (data)."""

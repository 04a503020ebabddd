"""JSON Schemas of the request types (data; one file per type)."""

"""Zendesk specifics: the API client and the one-write effects layer."""

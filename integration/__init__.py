"""Zendesk specifics: the API client, the one-write effects layer and the fake Zendesk."""

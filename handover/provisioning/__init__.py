"""Zendesk set-up as code: the desired state from handover.yaml, a pure plan, the lock file."""

"""Test tools that ship with handover: the fake Zendesk served over real HTTP."""

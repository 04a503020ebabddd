"""The signed webhook receiver: verify, parse, store, enqueue, answer 202."""
from webhooks.signature import sign, verify_signature
from webhooks.views import MAX_BODY_BYTES, WebhookRoute, blueprint

__all__ = ["blueprint", "WebhookRoute", "sign", "verify_signature", "MAX_BODY_BYTES"]

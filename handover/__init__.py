"""handover: checks account-transfer requests in a helpdesk the moment they arrive."""

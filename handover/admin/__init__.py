"""Admin pages under /admin (server-rendered): sign-in, ledger, ticket story, preview, request types, operations."""
from handover.admin.pages import init_admin_pages, pages

__all__ = ["init_admin_pages", "pages"]

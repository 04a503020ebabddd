"""The parties' pages: a signed link's confirmation page (consent or activation), one button."""
from handover.links.pages import pages

__all__ = ["pages"]

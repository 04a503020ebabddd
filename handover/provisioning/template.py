"""`handover init`: a commented, working handover.yaml for the request types in the catalog."""
from __future__ import annotations

from pathlib import Path

import yaml

from ..config import ConfigError
from ..engine.catalog import Catalog
from .desired import default_setup

CONFIG_NAME = "handover.yaml"

HEADER = """\
# handover.yaml - the configuration of handover, and the truth about its Zendesk set-up.
#
#   handover init                 wrote this file
#   handover provision            shows what Zendesk lacks or has different (changes nothing)
#   handover provision --apply    makes Zendesk match this file; ids go to handover.lock.yaml
#   handover serve                checks tickets (reads this file and the lock beside it)
#
# Ids of Zendesk objects described here come from handover.lock.yaml: never copy them by hand.
# handover finds its objects in Zendesk by a key it stores on them ("[handover key: ...]" in a
# description), so renaming a title or an option here is an update, not a delete and a create.
# Objects removed from this file are deleted only by `handover provision --apply --prune`.

default_locale: {locale}         # agents' internal notes; replies fall back to it; Zendesk titles
country: GB               # public holidays for the business-day estimate (ISO country code)
# complete_status: open   # status of a complete request (incomplete ones go to pending)
# catalog_dirs: [./my-catalog]   # extra request types / languages (schemas/, ticket_forms/)

# Zendesk custom field id -> canonical field name, for fields you made by hand. Fields this file
# describes are mapped from the lock file automatically.
field_mapping: {{}}
"""

SECTIONS = {
    "groups": """
# Groups. A group with settings (below) is created by provision when Zendesk has none of that
# name; a number instead (Accounts: 360000555666) names an existing group handover leaves alone.
""",
    "category_field": """
# The nested "Account Support -> ..." drop-down on the form. Each request type adds one option
# (its `category`, "::" nests) tagged with the type's tag from schemas/<type>.json; the tag on a
# ticket is how handover recognises the request type.
""",
    "request_types": """
# Per request type:
#   complete_group   where complete requests go (a group above, or any group's name)
#   form             the ticket form's name; types with the same name share one form, and each
#                    type's fields show only when its category is picked (conditional fields)
#   category         its option in the category drop-down
#   fields           the ticket fields: type (text, multiline, date, checkbox, dropdown,
#                    integer), required (on the end-user form), titles per language (made
#                    Zendesk dynamic content "handover_<field>", so each user sees their own
#                    language; languages the account lacks are left out), options of a
#                    dropdown (value, tag, titles).
#                    Attachments are asked for in the reply; they need no field.
#   macros           incomplete / complete: title and actions, applied in handover's one update
#                    (an action on group_id may name a group)
""",
    "webhook": """
# The webhook: POST $HANDOVER_PUBLIC_URL/webhooks/zendesk with a JSON body of ids only
# (ticket_id, updated_at, via, current_user_id). Its signing secret is read back from Zendesk
# into handover.lock.yaml, so HANDOVER_WEBHOOK_SECRET is not needed.
""",
    "trigger": """
# The trigger that calls the webhook when a ticket carrying a request type's tag is created or
# updated (that condition is added for you). Extra conditions, all of which must hold:
# current_via_id is_not 5 skips updates made through the API - handover's own - so its
# replies do not trigger it again.
""",
}

CHECKS_EXAMPLE = Path(__file__).with_name("checks_example.yaml")


def render(catalog: Catalog, locale: str = "en") -> str:
    """The file's text: commented sections around the default set-up of every request type."""
    if locale not in catalog.languages:
        raise ConfigError(f"no language {locale!r} in the catalog (known: {', '.join(sorted(catalog.languages))})")
    setup = default_setup(catalog, locale)
    parts = [HEADER.format(locale=locale)]
    for section, comment in SECTIONS.items():
        parts.append(comment)
        if section == "request_types":
            parts.append("request_types:\n")
            for name, settings in setup["request_types"].items():
                title = catalog.types[name].title(locale)
                body = yaml.safe_dump({name: settings}, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=None)
                parts.append(f"  # {name}: {title}\n" + "".join(f"  {line}\n" for line in body.splitlines()))
        else:
            parts.append(yaml.safe_dump({section: setup[section]}, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=None))
    if CHECKS_EXAMPLE.is_file():
        parts.append("\n" + CHECKS_EXAMPLE.read_text(encoding="utf-8"))
    return "".join(parts)


def write_config(directory: Path, catalog: Catalog, force: bool = False, locale: str = "en") -> Path:
    """Write DIR/handover.yaml; refuses to overwrite an existing file unless `force`."""
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory} is not a directory")
    target = directory / CONFIG_NAME
    if target.exists() and not force:
        raise ConfigError(f"{target} already exists (use --force to overwrite it)")
    directory.mkdir(parents=True, exist_ok=True)
    target.write_text(render(catalog, locale), encoding="utf-8")
    return target

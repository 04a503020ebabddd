"""Checks recorded Zendesk HTTP exchanges against Zendesk's published OpenAPI description."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

SPEC_HOST = "https://example.zendesk.com"
HERE = Path(__file__).resolve().parent
VENDORED = HERE / "openapi" / "zendesk-support-excerpt.yaml"
"""The part of Zendesk's Support API description our client and our fake use (openapi/README.md)."""
OPERATIONS = {
    "/api/v2/tickets/{ticket_id}": ("get", "put"),                    # ShowTicket, UpdateTicket
    "/api/v2/tickets/{ticket_id}/comments": ("get",),                 # ListTicketComments
    "/api/v2/tickets/{ticket_id}/macros/{macro_id}/apply": ("get",),  # ShowTicketAfterChanges
    "/api/v2/groups": ("get", "post"),                                # ListGroups, CreateGroup
    "/api/v2/users/{user_id}": ("get",),                              # ShowUser (the fake)
    "/api/v2/users/show_many": ("get",),                              # ShowManyUsers (the fake)
    "/api/v2/macros/{macro_id}": ("get", "put", "delete"),            # ShowMacro (the fake), Update/DeleteMacro
    # handover provision (integration/admin.py) and the fake's admin endpoints:
    "/api/v2/macros": ("get", "post"),                                # ListMacros, CreateMacro
    "/api/v2/groups/{group_id}": ("put", "delete"),                   # UpdateGroup, DeleteGroup
    "/api/v2/ticket_fields": ("get", "post"),                         # ListTicketFields, CreateTicketField
    "/api/v2/ticket_fields/{ticket_field_id}": ("get", "put", "delete"),
    "/api/v2/ticket_forms": ("get", "post"),                          # ListTicketForms, CreateTicketForm
    "/api/v2/ticket_forms/{ticket_form_id}": ("put", "delete"),
    "/api/v2/triggers": ("get", "post"),                              # ListTriggers, CreateTrigger
    "/api/v2/triggers/{trigger_id}": ("put", "delete"),
    "/api/v2/dynamic_content/items": ("get", "post"),                 # titles in several languages
    "/api/v2/dynamic_content/items/{dynamic_content_item_id}": ("put", "delete"),
    "/api/v2/dynamic_content/items/{dynamic_content_item_id}/variants/create_many": ("post",),
    "/api/v2/dynamic_content/items/{dynamic_content_item_id}/variants/update_many": ("put",),
    "/api/v2/dynamic_content/items/{dynamic_content_item_id}/variants/{dynammic_content_variant_id}": ("delete",),
    "/api/v2/locales": ("get",),                                      # ListLocales
}
"""Paths and methods of the excerpt: add one here (and run this module) before the client or the fake uses it."""
METHODS = ("get", "put", "post", "delete", "patch")
WEBHOOKS = HERE / "openapi" / "zendesk-webhooks.yaml"
"""The Webhooks API, which the Support API description lacks, transcribed from Zendesk's reference."""


def find_spec() -> Path | None:
    """The vendored excerpt, or None when it is missing from the checkout."""
    return VENDORED if VENDORED.is_file() else None


def require_contract(contract: "Contract | None", env) -> "Contract":
    """The contract; without it a contract test is skipped, except under CI=true, where that fails."""
    if contract is None:
        reason = "the vendored Zendesk OpenAPI excerpt (tests/integration/openapi/) is missing"
        if env.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: contract tests must run)")
        pytest.skip(reason)
    return contract


def find_full_spec() -> Path | None:
    """The whole description, `shared/zendesk/openapi.yaml` beside the checkout or above it (development
    machines only), to cut the excerpt from."""
    for folder in HERE.parents[1].parents:
        candidate = folder / "shared" / "zendesk" / "openapi.yaml"
        if candidate.is_file():
            return candidate
    return None


class _SpecLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):
    """Safe loader that reads YAML 1.1's `=` ("value" tag) as the plain string it is."""


_SpecLoader.add_constructor("tag:yaml.org,2002:value",
                            lambda loader, node: loader.construct_scalar(node))


HEADER = ("# An excerpt of Zendesk's Support API OpenAPI description: see README.md beside this file.\n"
          "# Written by `python -m tests.integration.zendesk_contract`; do not edit by hand.\n")


def load_spec(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_SpecLoader)


def with_webhooks(doc: dict) -> dict:
    """The excerpt plus the paths and schemas of the Webhooks API (never overriding)."""
    extra = load_spec(WEBHOOKS)
    for template, item in extra["paths"].items():
        doc["paths"].setdefault(template, item)
    for name, schema in extra["components"]["schemas"].items():
        doc["components"].setdefault("schemas", {}).setdefault(name, schema)
    return doc


def excerpt(doc: dict, operations: dict = OPERATIONS) -> dict:
    """The operations named, with every component they reference (transitively), copied unchanged."""
    paths = {template: {key: value for key, value in doc["paths"][template].items()
                        if key not in METHODS or key in methods}
             for template, methods in operations.items()}
    wanted, todo = set(), _refs(paths)
    while todo:
        ref = todo.pop()
        if ref not in wanted:
            wanted.add(ref)
            todo |= _refs(_resolve(doc, ref))
    components: dict = {}
    for ref in sorted(wanted):
        kind, name = _ref_parts(ref)[1:]
        components.setdefault(kind, {})[name] = doc["components"][kind][name]
    components["securitySchemes"] = doc["components"]["securitySchemes"]
    head = {key: doc[key] for key in ("openapi", "info", "servers", "security")}
    return {**head, "paths": paths, "components": components}


def dump_excerpt(doc: dict) -> str:
    return yaml.safe_dump(excerpt(doc), sort_keys=False, allow_unicode=True, width=100)


def _refs(node) -> set[str]:
    if isinstance(node, dict):
        return set().union(*(({value} if key == "$ref" else _refs(value)) for key, value in node.items()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def _resolve(doc: dict, ref: str):
    target = doc
    for part in _ref_parts(ref):
        target = target[part]
    return target


def _ref_parts(ref: str) -> list[str]:
    return ref.removeprefix("#/").split("/")


def _deref(doc: dict, node: dict) -> dict:
    target = node
    while "$ref" in target:
        target = _resolve(doc, target["$ref"])
    return target


def _drop_missing_path_params(doc: dict, template: str, item: dict) -> None:
    """README gotcha 4: ListGroups & co. declare path parameters their path lacks."""
    names = set(re.findall(r"{([^}]+)}", template))
    holders = [item] + [op for key, op in item.items() if key in ("get", "put", "post",
                                                                  "delete", "patch")]
    for holder in holders:
        if "parameters" in holder:
            holder["parameters"] = [
                p for p in holder["parameters"]
                if _deref(doc, p).get("in") != "path" or _deref(doc, p)["name"] in names]


def _fix_update_custom_fields(doc: dict) -> None:
    """The spec types UpdateTicket's custom_fields as field definitions; Zendesk takes {id, value}."""
    schema = doc["components"]["schemas"]["TicketUpdateInput"]["properties"]["custom_fields"]
    schema["items"] = {"type": "object", "required": ["id"],
                       "properties": {"id": {"type": "integer"}, "value": {}}}


def _make_nullable(node) -> None:
    """README gotcha 3: real Zendesk sends null where the spec says integer/string/object."""
    if isinstance(node, dict):
        if isinstance(node.get("type"), str):
            node["nullable"] = True
            if isinstance(node.get("enum"), list) and None not in node["enum"]:
                node["enum"].append(None)
        for key, value in node.items():
            if key not in ("example", "examples"):
                _make_nullable(value)
    elif isinstance(node, list):
        for value in node:
            _make_nullable(value)


def prepare(doc: dict, nullable: bool) -> dict:
    """A fixed copy of the spec ready for openapi-core (README gotchas 3 and 4)."""
    fixed = copy.deepcopy(doc)
    fixed["servers"] = [{"url": SPEC_HOST}]
    fixed["components"].pop("examples", None)
    for template, item in fixed["paths"].items():
        _drop_missing_path_params(fixed, template, item)
    _fix_update_custom_fields(fixed)
    if nullable:
        _make_nullable(fixed["components"]["schemas"])
        _make_nullable(fixed["paths"])
    return fixed


@dataclass
class Contract:
    """Strict spec for requests; nullable spec for responses (see README gotcha 3)."""

    requests_spec: OpenAPI
    responses_spec: OpenAPI
    document: dict  # the parsed YAML, unfixed

    @classmethod
    def from_file(cls, path: Path) -> "Contract":
        doc = with_webhooks(load_spec(path))
        # README gotcha 2: the spec fails self-checks. Webhook PATCHes are JSON merge patches.
        config = Config(spec_validator_cls=None,
                        extra_media_type_deserializers={"application/merge-patch+json": json.loads})
        return cls(OpenAPI.from_dict(prepare(doc, nullable=False), config=config),
                   OpenAPI.from_dict(prepare(doc, nullable=True), config=config), doc)

    def check_request(self, prepared: requests.PreparedRequest) -> None:
        self.requests_spec.validate_request(_as_spec_request(prepared))

    def check_response(self, response: requests.Response) -> None:
        """Validate a response whose status the spec documents; errors keep Zendesk's shape."""
        request = _as_spec_request(response.request)
        if response.status_code < 400:
            self.responses_spec.validate_response(request, RequestsOpenAPIResponse(response))
        else:
            body = response.json()  # the Webhooks API answers {"errors": [...]}, the Support API {"error": ...}
            assert "error" in body or "errors" in body, f"not a Zendesk error body: {response.text}"

    def check(self, response: requests.Response) -> None:
        self.check_request(response.request)
        self.check_response(response)


def _as_spec_request(prepared: requests.PreparedRequest) -> RequestsOpenAPIRequest:
    """Point the request at the spec's server and drop Zendesk's optional `.json` suffix."""
    parts = urlsplit(prepared.url)
    host = urlsplit(SPEC_HOST)
    path = parts.path.removesuffix(".json")
    copy_ = prepared.copy()
    copy_.url = urlunsplit((host.scheme, host.netloc, path, parts.query, ""))
    return RequestsOpenAPIRequest(copy_)


if __name__ == "__main__":  # python -m tests.integration.zendesk_contract [FULL_SPEC]: rewrite the excerpt
    import sys

    source = Path(sys.argv[1]) if len(sys.argv) > 1 else find_full_spec()
    if source is None:
        sys.exit("no shared/zendesk/openapi.yaml found; name the whole description: python -m ... PATH")
    VENDORED.parent.mkdir(exist_ok=True)
    VENDORED.write_text(HEADER + dump_excerpt(load_spec(source)), encoding="utf-8")

"""Checks recorded Zendesk HTTP exchanges against Zendesk's published OpenAPI description."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

SPEC_HOST = "https://example.zendesk.com"
# The Support API description lacks the Webhooks API; its operations come from this supplement.
SUPPLEMENTS = (Path(__file__).with_name("webhooks_openapi.yaml"),)
# The whole spec is kept: parsing takes about 0.4 s and openapi-core builds validators
# lazily per operation, so pruning to the paths we call would not make the tests faster.


def find_spec() -> Path | None:
    """`../shared/zendesk/openapi.yaml` next to the repository (worktree) root, if present."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file():
            candidate = parent.parent / "shared" / "zendesk" / "openapi.yaml"
            return candidate if candidate.is_file() else None
    return None


class _SpecLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):
    """Safe loader that reads YAML 1.1's `=` ("value" tag) as the plain string it is."""


_SpecLoader.add_constructor("tag:yaml.org,2002:value",
                            lambda loader, node: loader.construct_scalar(node))


def load_spec(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_SpecLoader)


def with_supplements(doc: dict) -> dict:
    """The Support API description plus the paths and schemas of SUPPLEMENTS (never overriding)."""
    for path in SUPPLEMENTS:
        extra = load_spec(path)
        for template, item in extra["paths"].items():
            doc["paths"].setdefault(template, item)
        for name, schema in extra["components"]["schemas"].items():
            doc["components"]["schemas"].setdefault(name, schema)
    return doc


def _ref_parts(ref: str) -> list[str]:
    return ref.removeprefix("#/").split("/")


def _deref(doc: dict, node: dict) -> dict:
    target = node
    while "$ref" in target:
        ref = target["$ref"]
        target = doc
        for part in _ref_parts(ref):
            target = target[part]
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
        doc = with_supplements(load_spec(path))
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

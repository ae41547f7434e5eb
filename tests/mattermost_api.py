"""Mattermost's published API description (``tests/data/mattermost-openapi-v4.yaml``) as a checker.

The file is a copy of ``shared/mattermost-api/openapi-v4.yaml`` (see its README beside it), kept
in the repository so that a clean clone tests against it.

The test server checks every request it receives and every response it sends against the
documented schemas; a difference is a *violation*, and a test with violations fails. The two
differences the document's README lists (login and reactions answer 200 where 201 is written)
are allowed here, as the real server behaves.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SPEC_PATH = Path(__file__).resolve().parent / "data" / "mattermost-openapi-v4.yaml"
BASE = "urn:mattermost-openapi"
#: documented 201, answered 200 by the real server (the README of the document says so)
REAL_STATUS = {("post", "/api/v4/users/login"): 200, ("post", "/api/v4/reactions"): 200}


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    spec: dict[str, Any]


class ApiDescription:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.registry = Registry().with_resource(
            BASE, Resource.from_contents(spec, default_specification=DRAFT7)
        )
        self._routes: list[tuple[re.Pattern[str], str]] = []
        for template in spec["paths"]:
            parts = re.split(r"\{[^}]+\}", template)
            pattern = "[^/]+".join(re.escape(part) for part in parts)
            self._routes.append((re.compile(f"^{pattern}$"), template))
        # literal paths first, so /users/login wins over /users/{user_id}
        self._routes.sort(key=lambda route: route[1].count("{"))

    def operation(self, method: str, path: str) -> Operation | None:
        for pattern, template in self._routes:
            if pattern.match(path):
                found = self.spec["paths"][template].get(method.lower())
                if found is not None:
                    return Operation(method.lower(), template, found)
        return None

    def _errors(self, pointer: str, value: Any) -> list[str]:
        validator = Draft7Validator({"$ref": f"{BASE}#{pointer}"}, registry=self.registry)
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in validator.iter_errors(value)
        ]

    def check_request(self, op: Operation, body: Any) -> list[str]:
        content = op.spec.get("requestBody", {}).get("content", {})
        if "application/json" not in content or body is None:
            return []
        body = _without_nulls(body)
        operation = f"/paths/{_escape(op.template)}/{op.method}"
        pointer = f"{operation}/requestBody/content/application~1json/schema"
        return self._errors(pointer, body)

    def check_response(self, op: Operation, status: int, body: Any) -> list[str]:
        responses = op.spec.get("responses", {})
        documented = str(status)
        if REAL_STATUS.get((op.method, op.template)) == status:
            documented = next((code for code in responses if code.startswith("2")), documented)
        if documented not in responses:
            return [f"status {status} is not documented for {op.method.upper()} {op.template}"]
        response = responses[documented]
        pointer = f"/paths/{_escape(op.template)}/{op.method}/responses/{documented}"
        if "$ref" in response:
            pointer = response["$ref"].removeprefix("#")
            response = self._resolve(pointer)
        if "application/json" not in response.get("content", {}):
            return []
        return self._errors(f"{pointer}/content/application~1json/schema", body)

    def _resolve(self, pointer: str) -> dict[str, Any]:
        node: Any = self.spec
        for part in pointer.strip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return dict(node)


def _without_nulls(value: Any) -> Any:
    """The server is written in Go: a JSON ``null`` for an optional field reads as absent.

    (mattermostdriver sends ``"token": null`` when logging in without MFA, and the real server
    accepts it; the document types the field as a string.)
    """
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _escape(template: str) -> str:
    return template.replace("~", "~0").replace("/", "~1")


@cache
def api_description() -> ApiDescription:
    return ApiDescription(yaml.safe_load(SPEC_PATH.read_text()))

"""Property-based requests from the OpenAPI document: the server never fails (5xx) and answers
what the document promises, for a district officer and for a school administrator."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from doisoat import store
from tests.service.api.world import World, make_world


def _world() -> World:
    # Built at import: schemathesis parametrises from a schema object, and its lazy-fixture
    # loader does not run on this pytest. The folder goes when the session ends.
    folder = Path(tempfile.mkdtemp(prefix="doisoat-schemathesis-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    engine = store.get_engine(f"sqlite:///{folder / 'store.db'}")
    store.upgrade(engine)
    return make_world(engine, folder, max_upload_bytes=2048)


WORLD = _world()
schema = schemathesis.openapi.from_asgi("/openapi.json", WORLD.client.app)
SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
CHECKS = [not_a_server_error, response_schema_conformance]
OPERATIONS = schema.exclude(method="POST", path="/api/v1/runs")


@OPERATIONS.parametrize()
@SETTINGS
def test_api_against_its_openapi_as_district_officer(case) -> None:
    case.call_and_validate(headers=WORLD.as_("officer"), checks=CHECKS)


@OPERATIONS.parametrize()
@SETTINGS
def test_api_against_its_openapi_as_school_admin(case) -> None:
    case.call_and_validate(headers=WORLD.as_("admin_a"), checks=CHECKS)

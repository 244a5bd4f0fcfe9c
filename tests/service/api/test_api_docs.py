"""The OpenAPI documentation works with no internet: every asset /docs loads is ours."""

from __future__ import annotations

import re

from tests.service.api.world import World


def test_docs_load_only_local_assets(world: World) -> None:
    page = world.client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page.text)
    urls += re.findall(r"""url:\s*["']([^"']+)["']""", page.text)
    assert any(u.endswith("swagger-ui-bundle.js") for u in urls)
    for url in urls:
        assert url.startswith("/"), f"/docs loads {url} from elsewhere"
        answer = world.client.get(url)
        assert answer.status_code == 200, url
        assert answer.content
    spec = world.client.get("/openapi.json").json()
    assert "/api/v1/conflicts" in spec["paths"]
    assert world.client.get("/redoc").status_code == 404

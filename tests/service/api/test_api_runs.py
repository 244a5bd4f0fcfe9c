"""Starting a night over the API: a night that cannot run is refused before «started»."""

from __future__ import annotations

from sqlalchemy import func, select

from doisoat.model import Run
from service.night.lock import nightly_lock
from tests.service.api.world import World


def _runs(world: World) -> int:
    with world.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Run.__table__)).scalar_one()


def test_a_night_in_the_future_is_refused_with_422(world: World) -> None:
    """A fuzzer once committed night 8587-11-02, and every real night after was refused."""
    for night in ("8587-11-02", "2062-06-11"):
        answer = world.client.post(
            "/api/v1/runs", json={"night": night}, headers=world.as_("officer")
        )
        assert answer.status_code == 422, answer.text
        assert "chưa tới" in answer.json()["detail"]
    assert _runs(world) == 0


def test_a_night_while_another_runs_is_409_not_started(world: World) -> None:
    with nightly_lock(world.engine):
        answer = world.client.post(
            "/api/v1/runs", json={"night": "2025-03-10"}, headers=world.as_("officer")
        )
    assert answer.status_code == 409, answer.text
    assert "đang chạy" in answer.json()["detail"]
    assert _runs(world) == 0

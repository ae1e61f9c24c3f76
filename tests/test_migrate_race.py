"""Many processes migrating one fresh database at once: exactly one migrates, the rest wait.

Before the lock, gunicorn with 4 workers on a fresh SQLite instance failed to boot in 4 of 5
starts ("table already exists")."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from comments_widget import migrate
from tests.conftest import fresh_database
from tests.gunicorn import Gunicorn

pytestmark = pytest.mark.slow
WORKERS = 4
STARTS = 10


def test_gunicorn_with_four_workers_boots_on_a_fresh_database_ten_times_in_a_row(
    tmp_path: Path,
) -> None:
    for start in range(STARTS):
        folder = tmp_path / f"start-{start}"
        folder.mkdir()
        with fresh_database(folder) as database_url:
            server = Gunicorn(folder, database_url, WORKERS)
            try:
                server.wait_until_ready(WORKERS)
                log = server.log_text()
                assert "Worker failed to boot" not in log and "Traceback" not in log, log
                assert len(server.worker_pids()) == WORKERS
            finally:
                server.stop()
            engine = sa.create_engine(database_url)
            try:
                assert migrate.current_revision(engine) == migrate.head_revision()
            finally:
                engine.dispose()

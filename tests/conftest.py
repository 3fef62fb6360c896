import os
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE_COUNT = 5  # shared/samples/vi holds 000 … 004


def pytest_configure(config):
    config.addinivalue_line("markers", "gold: scores the real pipeline against shared/gold (select with -m gold)")


# ---- the real sample articles (shared/samples/vi) -------------------------------------------------------------------


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's shared folder: $QUANHE_SHARED, else the `shared` folder next to the repository."""
    shared = Path(os.environ.get("QUANHE_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
    if not shared.is_dir():
        pytest.skip(f"no shared folder at {shared}")
    return shared


@pytest.fixture(scope="session")
def samples_dir(shared_dir: Path) -> Path:
    samples = shared_dir / "samples" / "vi"
    if not samples.is_dir():
        pytest.skip(f"no sample articles at {samples}")
    return samples


@pytest.fixture(scope="session")
def sample_path(samples_dir: Path):
    """sample_path("001") -> the path of shared/samples/vi/001_*.txt."""

    def find(number: str) -> Path:
        matches = sorted(samples_dir.glob(f"{number}_*.txt"))
        assert len(matches) == 1, f"expected one sample {number}_*.txt in {samples_dir}, found {matches}"
        return matches[0]

    return find


@pytest.fixture(scope="session")
def sample_text(sample_path):
    """sample_text("001") -> the raw (UTF-8) text of that sample file."""
    return lambda number: sample_path(number).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def sample_docs(samples_dir: Path) -> dict:
    """Every sample read by `read_paths` and run through the whole pipeline once, keyed "000" … "004"."""
    from quanhe.ingest.readers import read_paths
    from quanhe.ingest.records import IngestError
    from quanhe.pipeline import process

    items = list(read_paths([samples_dir]))
    failures = [str(item) for item in items if isinstance(item, IngestError)]
    assert not failures, failures
    return {Path(item.source).name[:3]: process(item) for item in items}


# ---- the command line ------------------------------------------------------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def run_cli():
    """run_cli("run", path, "--db", db) -> CompletedProcess of the installed `quanhe` script in a subprocess.

    COLUMNS is wide so rich tables do not fold titles; the working directory is the repository root unless given.
    """
    script = Path(sys.executable).with_name("quanhe")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from quanhe.cli import main; main()"]
    env = {**os.environ, "COLUMNS": "300", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    env.pop("FORCE_COLOR", None)

    def run(*args, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(command + [str(a) for a in args], cwd=cwd or REPO_ROOT, env=env, capture_output=True,
                              text=True, encoding="utf-8", timeout=timeout)

    return run

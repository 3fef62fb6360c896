import os
import random
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


# ---- bad input ------------------------------------------------------------------------------------------------------

PNG_BYTES = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
             + bytes(range(256)) * 8 + b"\x00\x00\x00\x00IEND\xaeB`\x82")


def _make_bad_inputs(folder: Path) -> dict[str, tuple[Path, str]]:
    """Each kind of bad input, written under `folder` -> (its path, a word its one-line reason must contain)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.png").write_bytes(PNG_BYTES)
    # high bytes that are neither UTF-8 nor any legacy Vietnamese encoding
    (folder / "garbled.txt").write_bytes(bytes(random.Random(7).choice(range(0x80, 0x100)) for _ in range(4000)))
    with open(folder / "huge.txt", "wb") as handle:  # 50 MB, sparse: written in no time
        handle.truncate(50 * 1024 * 1024)
    return {
        "missing": (folder / "no-such-article.txt", "no such file"),
        "empty": (folder / "empty.txt", "empty"),
        "binary": (folder / "image.png", "binary"),
        "encoding": (folder / "garbled.txt", "UTF-8"),
        "huge": (folder / "huge.txt", "too large"),
    }


@pytest.fixture(scope="session")
def make_bad_inputs():
    """make_bad_inputs(folder) -> {"missing" | "empty" | "binary" | "encoding" | "huge": (path, reason word)}."""
    return _make_bad_inputs


# ---- the command line ------------------------------------------------------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def run_cli():
    """run_cli("run", path, "--db", db) -> CompletedProcess of the installed `quanhe` script in a subprocess.

    Output goes to pipes, as in a script or a log; the terminal width is whatever rich assumes for a pipe unless
    `columns` is given (wide tables). The working directory is the repository root unless `cwd` is given.
    """
    script = Path(sys.executable).with_name("quanhe")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from quanhe.cli import main; main()"]
    base_env = {key: value for key, value in os.environ.items()
                if key not in {"COLUMNS", "LINES", "FORCE_COLOR", "TERM_PROGRAM"}}
    base_env.update({"NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"})

    def run(*args, cwd: Path | None = None, columns: int | None = None, timeout: float = 120):
        env = dict(base_env, COLUMNS=str(columns)) if columns else base_env
        return subprocess.run(command + [str(a) for a in args], cwd=cwd or REPO_ROOT, env=env, capture_output=True,
                              text=True, encoding="utf-8", timeout=timeout)

    return run

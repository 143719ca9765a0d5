"""The suite generates no test case only to skip it: a skip reason should mean something."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ASYNCIO_ONLY = ["tests/integrations/test_aiohttp.py"]


def collected_ids(*paths: str) -> list[str]:
    """The test ids pytest collects from ``paths`` (run from the repository root)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_asyncio_only_frameworks_generate_no_trio_cases() -> None:
    """aiohttp's tests are collected for asyncio alone, not as trio cases that skip."""
    ids = collected_ids(*ASYNCIO_ONLY)
    assert len(ids) > 20  # the file's tests are all still there
    assert [test_id for test_id in ids if "trio" in test_id] == []

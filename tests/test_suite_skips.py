"""The suite generates no test case only to skip it: a skip reason should mean something."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ASYNCIO_ONLY = ["tests/integrations/test_aiohttp.py", "tests/integrations/test_django.py"]
SHARED = "tests/integrations/test_adapter_scenarios.py"  # a case per scenario and adapter
SHARED_ASYNCIO_ONLY = ("[aiohttp-", "[django-asgi-")


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
    """aiohttp's and Django ASGI's tests are collected for asyncio alone, not as trio skips."""
    ids = collected_ids(*ASYNCIO_ONLY, SHARED)
    own = [test_id for test_id in ids if not test_id.startswith(SHARED)]
    shared = [test_id for test_id in ids if any(kit in test_id for kit in SHARED_ASYNCIO_ONLY)]
    assert len(own) > 30  # the files' tests are all still there
    assert len(shared) == 14  # the 7 shared scenarios, once for each of the two
    assert [test_id for test_id in own + shared if "trio" in test_id] == []

"""Mutation testing of injectkit's core with mutmut, and its score per module.

    uv run --group mutation python scripts/mutation.py --sample 60   # a quick seeded sample
    uv run --group mutation python scripts/mutation.py               # every core mutant
    uv run --group mutation python scripts/mutation.py --module _finalize --module _request
    uv run --group mutation python scripts/mutation.py --pending --module _markers  # not killed yet
    uv run --group mutation python scripts/mutation.py --pending     # every module's survivors
    uv run --group mutation python scripts/mutation.py --report      # scores of the last runs
    uv run --group mutation python scripts/mutation.py --report --markdown  # for docs/mutation.md

mutmut's configuration ([tool.mutmut] in pyproject.toml) says which files are mutated and
which tests run; results are kept in mutants/, so a full run that was stopped resumes
(--fresh starts over).  Mutants listed in scripts/mutation_equivalent.txt change no
behaviour (the reason is on their line) and are left out of the score.
See docs/mutation.md.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
EQUIVALENT = ROOT / "scripts" / "mutation_equivalent.txt"
# mutmut's map of which tests reach which function.  It is built on the first run and
# then extended for new tests only: a function added or moved since is mapped to the
# new tests alone, and its mutants "survive" tests that do kill them.
TEST_MAP = MUTANTS / "mutmut-stats.json"
KILLED = {1, 3, 37}  # a test failed (3: pytest's internal error), or the type checker
SURVIVED = {0}
NO_TESTS = {5, 33}  # no test even reaches the mutated function: as bad as survived
TIMEOUT = {24, -24, 36, 152, 255, -9, -11, -15}  # hung (stopped) or crashed: killed


def _mutmut(*args: str, hang_limit: float) -> int:
    """Run mutmut, stopping any mutant that takes longer than ``hang_limit`` seconds.

    mutmut stops a mutant after a CPU-time limit, which a deadlocked test (a lock taken
    twice, an event never set) never reaches: the watchdog kills such a worker, which
    counts as killed (the tests did not pass).
    """
    process = subprocess.Popen([sys.executable, "-m", "mutmut", *args], cwd=ROOT)
    seen: dict[int, float] = {}
    while process.poll() is None:
        time.sleep(5)
        now = time.monotonic()
        for pid in _workers():
            started = seen.setdefault(pid, now)
            if now - started > hang_limit:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
    return process.returncode


def _workers() -> list[int]:
    """The processes mutmut runs a mutant in (it titles them ``mutmut: NAME``)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if cmdline.read_bytes().startswith(b"mutmut: injectkit."):
                found.append(int(cmdline.parent.name))
    return found


def generate() -> None:
    """Write the mutants (mutmut's own first step) without running any test."""
    code = (
        "import os\n"
        "from mutmut import __main__ as m\n"
        "os.makedirs('mutants', exist_ok=True)\n"
        "m.set_mutant_under_test('mutant_generation')\n"
        "m.copy_src_dir(); m.copy_also_copy_files(); m.setup_source_paths()\n"
        "m.store_lines_covered_by_tests(); m.create_mutants(os.cpu_count() or 2)\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def results() -> dict[str, dict[str, int | None]]:
    """Exit code per mutant name, per module (``_finalize``), from mutmut's files."""
    by_module: dict[str, dict[str, int | None]] = {}
    for meta in sorted((MUTANTS / "injectkit").glob("*.py.meta")):
        module = meta.name.removesuffix(".py.meta")
        by_module[module] = json.loads(meta.read_text())["exit_code_by_key"]
    return by_module


def _unkilled(name: str, code: int | None) -> bool:
    """Not judged yet, or survived (and not listed as equivalent): what --pending runs."""
    return code is None or (code in SURVIVED | NO_TESTS and name not in equivalent())


@functools.cache
def equivalent() -> dict[str, str]:
    """Mutant name -> why it changes no behaviour."""
    listed: dict[str, str] = {}
    for line in EQUIVALENT.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            listed[name] = reason.strip()
    return listed


def report(names: set[str] | None, *, markdown: bool = False) -> list[str]:
    """Print killed/survived/score per module (over ``names`` if given); return survivors."""
    listed = equivalent()
    survivors: list[str] = []
    rows = []
    total: Counter[str] = Counter()
    for module, codes in results().items():
        count: Counter[str] = Counter()
        for name, code in codes.items():
            if names is not None and name not in names:
                continue
            if code is None:
                count["not run"] += 1
            elif name in listed:
                count["equivalent"] += 1
            elif code in KILLED or code in TIMEOUT:
                count["killed"] += 1
            else:
                count["survived"] += 1
                survivors.append(name)
        if sum(count.values()) == 0:
            continue
        total.update(count)
        rows.append((module, count))
    rows.append(("core", total))
    columns = ("killed", "survived", "equivalent", "not run")
    if markdown:
        print("| module | " + " | ".join(columns) + " | score |")
        print("| --- |" + " ---: |" * (len(columns) + 1))
    else:
        print(f"{'module':<14}" + "".join(f"{c:>11}" for c in columns) + f"{'score':>9}")
    for module, count in rows:
        judged = count["killed"] + count["survived"]
        score = f"{100 * count['killed'] / judged:.1f} %" if judged else "-"
        if markdown:
            cells = " | ".join(str(count[c]) for c in columns)
            print(f"| `{module}` | {cells} | {score} |")
        else:
            print(f"{module:<14}" + "".join(f"{count[c]:>11}" for c in columns) + f"{score:>9}")
    return survivors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, metavar="N", help="run N random mutants")
    parser.add_argument("--seed", type=int, default=14, help="seed of the sample (default 14)")
    parser.add_argument(
        "--module", action="append", default=[], help="only this module (e.g. _finalize)"
    )
    parser.add_argument("--max-children", type=int, default=2, help="parallel test processes")
    parser.add_argument(
        "--hang-limit", type=float, default=300, help="seconds before a mutant counts as hung"
    )
    parser.add_argument(
        "--pending",
        action="store_true",
        help="only the mutants not judged yet or survived (after new tests); with --module, "
        "of that module",
    )
    parser.add_argument("--fresh", action="store_true", help="forget earlier results first")
    parser.add_argument("--report", action="store_true", help="only print the last scores")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    options = parser.parse_args()

    if options.fresh:
        shutil.rmtree(MUTANTS, ignore_errors=True)
    names: set[str] | None = None
    if not options.report:
        TEST_MAP.unlink(missing_ok=True)  # built again by one run of the tests (see TEST_MAP)
        generate()
        modules = set(options.module) or set(results())
        pool = sorted(
            n
            for m, codes in results().items()
            if m in modules
            for n, code in codes.items()
            if not options.pending or _unkilled(n, code)
        )
        if options.sample:
            names = set(random.Random(options.seed).sample(pool, min(options.sample, len(pool))))
            targets = sorted(names)
        elif options.pending:
            names = {n for m, codes in results().items() if m in modules for n in codes}
            targets = pool
        else:
            names = set(pool) if options.module else None
            targets = [f"injectkit.{m}.*" for m in sorted(modules)] if options.module else []
        if options.pending and not targets:
            print("every mutant of these modules is judged already")
        elif code := _mutmut(
            "run",
            "--max-children",
            str(options.max_children),
            *targets,
            hang_limit=options.hang_limit,
        ):
            return code
    survivors = report(names, markdown=options.markdown)
    if survivors:
        print(f"\n{len(survivors)} surviving mutant(s); see each with `mutmut show NAME`:")
        for name in survivors:
            print(f"  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

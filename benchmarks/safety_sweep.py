"""Safety sweep: contraindicated recommendations over many random records (goal: 0).

    uv run python benchmarks/safety_sweep.py --records 100000 [--workers 2] [--seed 1]

Records come from the Hypothesis strategy `tests/strategies.records` (stale and fresh labs, mass
and SI LOINC codes, canonical and short code systems, coded and unknown conditions, every
jurisdiction and none, prior PTH analogues, pregnancy); each plan is checked by the independent
oracle `tests/safety_oracle.py`. The baseline named in the output is the count the same oracle
finds on the records before any plan is made: how many records forbid at least one drug, so a
zero is seen against how often it could have failed.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from tests.property.test_safety_oracle import check_record  # noqa: E402
from tests.safety_oracle import forbidden  # noqa: E402
from tests.strategies import Truth, records  # noqa: E402


def run(records_wanted: int, run_seed: int) -> tuple[collections.Counter[str], list[str]]:
    """One Hypothesis sweep of ``records_wanted`` records from ``run_seed``."""
    counts: collections.Counter[str] = collections.Counter()
    examples: list[str] = []

    @seed(run_seed)
    @settings(
        max_examples=records_wanted,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(records())
    def sweep(drawn: tuple[dict[str, Any], Truth]) -> None:
        record, truth = drawn
        counts["records"] += 1
        if forbidden(record, truth, fracture=bool(record.get("fractures"))):
            counts["records forbidding a drug (baseline)"] += 1
        problems = check_record(record, truth)
        counts["violations"] += len(problems)
        if problems and len(examples) < 5:
            examples.append(f"{problems[0]} :: {record}")
        if counts["records"] % 10_000 == 0:
            print(
                f"  seed {run_seed}: {counts['records']} records, {counts['violations']} "
                "violations",
                flush=True,
            )

    sweep()
    return counts, examples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1, help="processes, one seed each")
    parser.add_argument("--seed", type=int, default=1, help="seed of the first worker")
    args = parser.parse_args()
    started = time.perf_counter()
    share = -(-args.records // args.workers)
    seeds = [args.seed + i for i in range(args.workers)]
    counts: collections.Counter[str] = collections.Counter()
    examples: list[str] = []
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.workers) as pool:
        for part, found in pool.map(run, [share] * args.workers, seeds):
            counts.update(part)
            examples.extend(found)
    elapsed = time.perf_counter() - started
    print(f"records: {counts['records']} in {elapsed:.1f} s (seeds {seeds})")
    print(f"baseline: {counts['records forbidding a drug (baseline)']} records forbid a drug")
    print(f"contraindicated recommendations (goal 0): {counts['violations']}")
    for line in examples[:5]:
        print("  e.g.", line[:400])
    return 1 if counts["violations"] else 0


if __name__ == "__main__":
    raise SystemExit(main())

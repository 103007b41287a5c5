"""Batch assessment and CLI start-up benchmark.

Targets (issue 4): 10,000 varied records through ``osteowedge assess --format ndjson`` in under
10 s whole-process; ``osteowedge --help`` under 0.5 s.

Baseline, measured in the same run: one ``osteowedge assess RECORD.json`` process per record (what
a shell loop over files does), timed on a sample and scaled to the batch size.

    uv run python benchmarks/bench_assess.py [--records 10000] [--baseline-sample 20]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _exe() -> str:
    found = shutil.which("osteowedge", path=str(Path(sys.executable).parent))
    if not found:
        raise SystemExit("osteowedge is not installed in this environment: run `uv sync` first")
    return found


def varied_records(n: int, seed: int = 20261128) -> list[dict[str, Any]]:
    """``n`` valid records: the bundled examples with ages, doses, labs and dates varied."""
    rng = random.Random(seed)
    bases = [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.json"))]
    out: list[dict[str, Any]] = []
    for i in range(n):
        record = copy.deepcopy(bases[i % len(bases)])
        record["id"] = f"{record['id']}-{i:05d}"
        if record.get("age_years") is not None:
            age = float(record["age_years"]) + rng.randint(-8, 8)
            if record.get("menopausal_status") == "premenopausal":
                age = min(age, 45)
            record["age_years"] = max(age, 20)
        for med in record.get("medications", []):
            dose = med.get("dose")
            if isinstance(dose, dict) and isinstance(dose.get("value"), int | float):
                dose["value"] = round(dose["value"] * rng.choice([0.5, 1, 1, 1.5, 2]), 2)
        for lab in record.get("labs", []):
            lab["value"] = round(lab["value"] * rng.uniform(0.8, 1.2), 2)
        if rng.random() < 0.2:
            record["labs"] = []
        if rng.random() < 0.1:
            record["symptoms"] = [*record.get("symptoms", []), "acute_back_pain"]
        out.append(record)
    return out


def timed(cmd: list[str], stdin_path: Path | None = None) -> float:
    start = time.perf_counter()
    with open(stdin_path or "/dev/null", "rb") as stdin:
        subprocess.run(cmd, stdin=stdin, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--baseline-sample", type=int, default=20)
    args = parser.parse_args()
    exe = _exe()

    help_times = [timed([exe, "--help"]) for _ in range(5)]
    print(f"osteowedge --help: median {statistics.median(help_times):.3f} s (target < 0.5 s)")

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        records = varied_records(args.records)
        batch = tmp_path / "batch.ndjson"
        batch.write_text("".join(json.dumps(r) + "\n" for r in records))
        out = tmp_path / "out.ndjson"
        start = time.perf_counter()
        with out.open("wb") as sink:
            result = subprocess.run(
                [exe, "assess", str(batch), "--format", "ndjson"],
                stdout=sink,
                stderr=subprocess.PIPE,
                check=False,
            )
        elapsed = time.perf_counter() - start
        lines = out.read_text().splitlines()
        errors = sum(1 for line in lines if '"error"' in line[:200] and '"patient_id"' in line)
        print(
            f"batch: {len(records)} records -> {len(lines)} lines ({errors} error objects) in "
            f"{elapsed:.2f} s = {1000 * elapsed / len(records):.2f} ms/record, exit "
            f"{result.returncode} (target < 10 s)"
        )

        sample = records[: args.baseline_sample]
        per_record: list[float] = []
        for record in sample:
            path = tmp_path / f"{record['id']}.json"
            path.write_text(json.dumps(record))
            per_record.append(timed([exe, "assess", str(path)]))
        per = statistics.median(per_record)
        projected = per * len(records)
        print(
            f"baseline (one process per record): median {per:.3f} s/record over {len(sample)}, "
            f"projected {projected:.0f} s for {len(records)} -> batch is "
            f"{projected / elapsed:.0f}x faster"
        )


if __name__ == "__main__":
    main()

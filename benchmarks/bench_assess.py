"""Batch assessment and CLI start-up benchmark.

Targets: ``osteowedge assess --format ndjson`` at 1,000 records/s or more on 10,000 varied records,
whole process (issue 10), against the previous release on the same file in the same run;
``osteowedge --help`` under 0.5 s.

Baselines, measured in the same run:
- the previous release (``--previous REF``, default the last state before contract 2.0), built
  from git into a cache folder with its own locked environment and run on the same NDJSON file,
  alternating with ours so that load on the machine falls on both;
- one ``osteowedge assess RECORD.json`` process per record (what a shell loop over files does),
  timed on a sample and scaled to the batch size.

    uv run python benchmarks/bench_assess.py [--records 10000] [--repeat 2]
        [--previous e4e9798 | --previous none] [--baseline-sample 5]
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
PREVIOUS = "e4e9798"
"""The last landed state before contract 2.0 and the safety rebuild (2026-11-28)."""
CACHE = Path.home() / ".cache" / "osteowedge-bench"


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


def previous_release(ref: str) -> str:
    """The ``osteowedge`` executable of ``ref``: exported from git and installed once with its
    own lock file into the cache folder."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short=12", ref],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    home = CACHE / sha
    exe = home / ".venv" / "bin" / "osteowedge"
    if not exe.exists():
        print(f"building the previous release {ref} ({sha}) in {home} ...", flush=True)
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", sha], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(home)], input=archive, check=True)
        subprocess.run(["uv", "sync", "--locked", "--quiet"], cwd=home, check=True)
    return str(exe)


def batch_run(exe: str, batch: Path, out: Path) -> tuple[float, int, int, int]:
    """(seconds, output lines, error objects, exit code) of one whole-process batch run."""
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
    return elapsed, len(lines), errors, result.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2, help="batch runs of each version")
    parser.add_argument("--previous", default=PREVIOUS, help="git ref of the baseline, or none")
    parser.add_argument("--baseline-sample", type=int, default=5)
    args = parser.parse_args()
    exe = _exe()
    versions = {"ours": exe}
    if args.previous != "none":
        versions[f"previous ({args.previous})"] = previous_release(args.previous)

    help_times = [timed([exe, "--help"]) for _ in range(5)]
    print(f"osteowedge --help: median {statistics.median(help_times):.3f} s (target < 0.5 s)")

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        records = varied_records(args.records)
        batch = tmp_path / "batch.ndjson"
        batch.write_text("".join(json.dumps(r) + "\n" for r in records))
        times: dict[str, list[float]] = {name: [] for name in versions}
        for _ in range(args.repeat):
            for name, version in versions.items():
                elapsed, lines, errors, code = batch_run(version, batch, tmp_path / "out.ndjson")
                times[name].append(elapsed)
                print(
                    f"  {name}: {len(records)} records -> {lines} lines ({errors} error objects)"
                    f" in {elapsed:.2f} s, exit {code}",
                    flush=True,
                )
        best = {name: min(ts) for name, ts in times.items()}
        for name, seconds in best.items():
            rate = len(records) / seconds
            print(
                f"batch {name}: best {seconds:.2f} s of {len(times[name])} = {rate:.0f} records/s"
                f" = {1000 * seconds / len(records):.2f} ms/record"
                + (" (target >= 1000 records/s)" if name == "ours" else "")
            )
        if len(best) == 2:
            previous = next(v for k, v in best.items() if k != "ours")
            print(f"ours / previous: {previous / best['ours']:.2f}x the previous release's speed")

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
            f"{projected / best['ours']:.0f}x faster"
        )


if __name__ == "__main__":
    main()

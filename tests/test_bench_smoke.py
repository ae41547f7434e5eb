"""The benchmarks still run (tiny sizes); their figures are in BENCHMARKS.md, not asserted."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_benchmark_runs_in_smoke_mode_and_prints_its_row(synapse):
    # `synapse` makes sure Synapse is installed; B5 starts its own, as the script does
    done = subprocess.run(
        [sys.executable, "scripts/bench.py", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for row in (
        "| B1 |",
        "| B2 |",
        "| B2b |",
        "| B3 |",
        "| B4 |",
        "| B5 |",
        "| B6 |",
        "| B6b |",
        "| B7 |",
    ):
        assert row in done.stdout, row
    assert "events/s" in done.stdout and "echo bot p50" in done.stdout

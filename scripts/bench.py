"""``scripts/bench``: run the benchmarks B1–B7 (and B2b, B6b), print one table, write
BENCHMARKS.md.

    scripts/bench            all of them (about 4 minutes), then BENCHMARKS.md is rewritten
    scripts/bench --smoke    tiny sizes, only to check that they still run (CI does this)
    scripts/bench --only B1,B2,B2b

Medians over repeated runs; every ratio is against a baseline measured in the same run.
"""

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_archive import b7_archive
from bench_buttons import b6b_buttons
from bench_engine import b1_engine, b2_runtime
from bench_latency import b5_matrix, b6_mattermost
from bench_scale import b3_b4_scale
from bench_store import b2b_store

ROOT = Path(__file__).resolve().parents[1]

Row = tuple[str, str, str, str, str]  # id, what, measured, baseline and ratio, target and verdict


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _rows(only: set[str], smoke: bool) -> list[Row]:
    rows: list[Row] = []
    if "B1" in only:
        b1 = b1_engine(smoke)
        rows.append(
            (
                "B1",
                f"engine throughput, recorded 9-person atelier ({b1['events']:.0f} events)",
                f"{b1['rate']:,.0f} events/s",
                f"deep-copy engine {b1['baseline']:,.0f} events/s;"
                f" ×{b1['rate'] / b1['baseline']:.1f}",
                f"≥ 20,000 — {_verdict(b1['rate'] >= 20_000)}",
            )
        )
    if "B2" in only:
        b2 = b2_runtime(smoke)
        rows.append(
            (
                "B2",
                "runtime + SQLite (WAL), every event persisted before its effects",
                f"{b2['rate']:,.0f} events/s",
                f"bare SQLite commit {b2['baseline']:,.0f}/s; ×{b2['rate'] / b2['baseline']:.2f}",
                "≥ 3,000 and ≥ ×0.25 — "
                + _verdict(b2["rate"] >= 3_000 and b2["rate"] >= 0.25 * b2["baseline"]),
            )
        )
    if "B2B" in only:
        b = b2b_store(smoke)
        cost, size = b["cost"] / b["baseline"], b["size"] / b["raw"]
        rows.append(
            (
                "B2b",
                f"an event when the atelier holds {b['held']:.0f} messages of 4 kB",
                f"{b['cost'] * 1e6:,.0f} µs per event; database {b['size'] / 1e6:.1f} MB",
                f"{b['baseline'] * 1e6:,.0f} µs with 10 messages; ×{cost:.2f};"
                f" raw text {b['raw'] / 1e6:.1f} MB, ×{size:.2f}",
                f"cost ≤ ×1.5, size ≤ ×2 — {_verdict(cost <= 1.5 and size <= 2)}",
            )
        )
    if "B3" in only or "B4" in only:
        b3, b4 = b3_b4_scale(smoke)
        rows.append(
            (
                "B3",
                f"{b3['ateliers']} ateliers × 10 people, {b3['timers']} timers during the hold",
                f"peak RSS {b3['rss']:.0f} MB; timer lateness p50 {b3['p50'] * 1000:.1f} ms,"
                f" p99 {b3['p99'] * 1000:.1f} ms",
                f"RSS before the ateliers {b3['baseline_rss']:.0f} MB;"
                f" ×{b3['rss'] / b3['baseline_rss']:.2f}",
                f"RSS ≤ 200 MB, p99 ≤ 200 ms — {_verdict(b3['rss'] <= 200 and b3['p99'] <= 0.2)}",
            )
        )
        rows.append(
            (
                "B4",
                f"restart with {b4['ateliers']} ateliers mid-step",
                f"{b4['seconds']:.2f} s to reload, re-arm {b4['armed']}/{b4['stored']} timers"
                " and serve a first event",
                "—",
                "≤ 2 s, all re-armed — "
                + _verdict(b4["seconds"] <= 2 and b4["armed"] >= b4["stored"]),
            )
        )
    for name, run, label in (
        ("B5", b5_matrix, "Matrix, local Synapse"),
        ("B6", b6_mattermost, "Mattermost test server"),
    ):
        if name in only:
            b = run(smoke)
            p50, p95 = b["bot_p50"] / b["echo_p50"], b["bot_p95"] / b["echo_p95"]
            rows.append(
                (
                    name,
                    f"command → answer, {label}, {b['n']:.0f} sequential",
                    f"bot p50 {b['bot_p50']:.1f} ms, p95 {b['bot_p95']:.1f} ms",
                    f"echo bot p50 {b['echo_p50']:.1f} ms, p95 {b['echo_p95']:.1f} ms;"
                    f" ×{p50:.2f} / ×{p95:.2f}",
                    f"ratios ≤ 1.2 — {_verdict(p50 <= 1.2 and p95 <= 1.2)}",
                )
            )
    if "B6B" in only:
        b = b6b_buttons(smoke)
        p50, p95 = b["bot_p50"] / b["echo_p50"], b["bot_p95"] / b["echo_p95"]
        rows.append(
            (
                "B6b",
                f"button → answer, Mattermost test server, {b['n']:.0f} sequential",
                f"bot p50 {b['bot_p50']:.1f} ms, p95 {b['bot_p95']:.1f} ms",
                f"raw button integration p50 {b['echo_p50']:.1f} ms,"
                f" p95 {b['echo_p95']:.1f} ms; ×{p50:.2f} / ×{p95:.2f}",
                f"ratios ≤ 1.2 — {_verdict(p50 <= 1.2 and p95 <= 1.2)}",
            )
        )
    if "B7" in only:
        b7 = b7_archive(smoke)
        rows.append(
            (
                "B7",
                f"`archives mots` with {b7['rooms']:.0f} rooms × 13 shared records",
                f"search p95 {b7['p95'] * 1000:.1f} ms",
                f"read one record p95 {b7['baseline'] * 1000:.1f} ms;"
                f" ×{b7['p95'] / b7['baseline']:.1f}",
                f"≤ 50 ms — {_verdict(b7['p95'] <= 0.05)}",
            )
        )
    return rows


def _table(rows: list[Row]) -> str:
    lines = [
        "| # | what | measured (median) | same-run baseline; ratio | target |",
        "|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _machine() -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return (
        f"{datetime.date.today().isoformat()}, commit {commit or '?'}, "
        f"{platform.machine()} × {os.cpu_count()} cores, Python {platform.python_version()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes; BENCHMARKS.md kept")
    parser.add_argument("--only", default="B1,B2,B2B,B3,B4,B5,B6,B6B,B7")
    args = parser.parse_args(argv)
    only = {part.strip().upper() for part in args.only.split(",")}
    started = time.monotonic()
    rows = _rows(only, args.smoke)
    table = _table(rows)
    print(table)
    print(f"\n({_machine()}; {time.monotonic() - started:.0f} s)")
    if not args.smoke and only >= {"B1", "B2", "B2B", "B3", "B4", "B5", "B6", "B6B", "B7"}:
        notes = (ROOT / "scripts" / "BENCHMARKS.notes.md").read_text(encoding="utf-8")
        (ROOT / "BENCHMARKS.md").write_text(
            f"# Benchmarks\n\nWritten by `scripts/bench` on {_machine()}.\n\n{table}\n\n{notes}",
            encoding="utf-8",
        )
        print("BENCHMARKS.md written.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

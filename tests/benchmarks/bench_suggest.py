"""Time `samenspel suggest` on generated rows (issue: under 10 s for 1,000 x 1,000).

    python -m tests.benchmarks.bench_suggest [--needs 1000] [--offers 1000] [--runs 3]

Runs the real command line in a subprocess, so start-up and CSV parsing are included, and
prints the median of the runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from samenspel.matching.synthetic import write_files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--needs", type=int, default=1000)
    parser.add_argument("--offers", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        needs, offers = Path(folder) / "needs.csv", Path(folder) / "offers.csv"
        write_files(args.needs, args.offers, needs, offers)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "samenspel.cli",
                    "suggest",
                    str(needs),
                    str(offers),
                    "--top",
                    "5",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            times.append(time.perf_counter() - started)
            if result.returncode != 0:
                sys.exit(f"suggest failed: {result.stderr[-2000:]}")
        print(
            f"samenspel suggest {args.needs} x {args.offers}, top 5: "
            f"median {statistics.median(times):.2f} s over {args.runs} runs "
            f"(min {min(times):.2f}, max {max(times):.2f})"
        )


if __name__ == "__main__":
    main()

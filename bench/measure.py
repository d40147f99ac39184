#!/usr/bin/env python3
"""Runs one command and prints its wall time (s) and peak RSS (MiB) as JSON on stdout.

Usage: measure.py LABEL -- CMD [ARGS...]
The command's own output goes to a file in bench/out/ so the measurement is not disturbed by a terminal.
"""
import json
import os
import resource
import subprocess
import sys
import time


def main() -> int:
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    label, cmd = sys.argv[1], sys.argv[3:]
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
    os.makedirs(out_dir, exist_ok=True)
    out_path = os.path.join(out_dir, f"{label}.out")
    with open(out_path, "wb") as out, open(out_path + ".stderr", "wb") as err:
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=out, stderr=err)
        wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "label": label,
        "exit": proc.returncode,
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "output": out_path,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())

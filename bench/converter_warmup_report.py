"""Summarises bench/converter_warmup.sh's JSON lines ("default {...}" / "budget {...}")."""

import json
import statistics
import sys

LABELS = {"first": "1st", "early": "2nd-13th", "steady": "last quarter", "total": "all"}

file, runs, budget = sys.argv[1:4]
rows: dict[str, list[dict]] = {}
for line in sys.stdin:
    name, data = line.split(" ", 1)
    rows.setdefault(name, []).append(json.loads(data))
print(f"{file}: {runs} conversions per process, medians of {len(rows['default'])} processes each (ms)")
print(f"  {'':<20}{'default':>10}{budget:>32}{'ratio':>8}")
for clock in ("wall", "cpu"):
    for phase, label in LABELS.items():
        a, b = (statistics.median(r[clock][phase] for r in rows[k]) for k in ("default", "budget"))
        print(f"  {clock + ' ' + label:<20}{a:>10.1f}{b:>32.1f}{b / a:>8.2f}")

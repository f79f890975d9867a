#!/usr/bin/env python3
"""Mutation score per folder of src/GridPositions from a Stryker.NET JSON report, and the surviving mutants.

Usage: python3 score.py <path to mutation-report.json> [--survivors] [--equivalents]
Score = detected / (detected + undetected), as Stryker counts it: Killed and Timeout are detected; Survived and
NoCoverage are undetected; CompileError and Ignored are left out.
--equivalents lists the mutants the code marks equivalent (a "Stryker disable" comment or an ignored method in the
configuration), each with the reason given; Stryker's own filters (block already covered, outside the mutate globs)
are not listed.
"""
import collections
import json
import sys

report = json.load(open(sys.argv[1]))
detected, undetected = collections.Counter(), collections.Counter()
survivors = []
equivalents = []
OWN_FILTERS = ("Removed by block already covered filter", "Removed by mutate filter")
for path, file in report["files"].items():
    rel = path.split("src/GridPositions/", 1)[-1]
    folder = rel.split("/", 1)[0] if "/" in rel else "(root)"
    lines = file["source"].splitlines()
    for m in file["mutants"]:
        status = m["status"]
        if status in ("Killed", "Timeout"):
            detected[folder] += 1
        elif status in ("Survived", "NoCoverage"):
            undetected[folder] += 1
            line = m["location"]["start"]["line"]
            survivors.append((rel, line, status, m["mutatorName"], m.get("replacement", "").replace("\n", " ")[:90], lines[line - 1].strip()[:110]))
        elif status == "Ignored" and m.get("statusReason", "") not in OWN_FILTERS:
            line = m["location"]["start"]["line"]
            equivalents.append((rel, line, m["mutatorName"], m.get("statusReason", "")))

print(f"| Folder | Detected | Undetected | Score |\n|---|---|---|---|")
for folder in sorted(set(detected) | set(undetected)):
    d, u = detected[folder], undetected[folder]
    print(f"| {folder} | {d} | {u} | {100 * d / (d + u):.1f}% |")
d, u = sum(detected.values()), sum(undetected.values())
print(f"| **all** | {d} | {u} | **{100 * d / (d + u):.1f}%** |")
if "--survivors" in sys.argv:
    for s in sorted(survivors):
        print("\t".join(str(x) for x in s))
if "--equivalents" in sys.argv:
    print(f"{len(equivalents)} mutants marked equivalent in the code or configuration:")
    for e in sorted(equivalents):
        print("\t".join(str(x) for x in e))

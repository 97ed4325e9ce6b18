"""Language detection on short lead messages: accuracy per served language, memory and time,
for lingua's low and high accuracy modes (issue 18).

Each mode runs in a fresh process: the detector the service builds (`identity.language`, every
model loaded) for the demo's 8 served languages, then every message of
`bench/data/language-samples.tsv` (lingua's own test data, 5–200 characters; see
`bench/language_samples.py`) through the service's rule: at least 3 words and a confidence of
0.6 (0.9 for a message under 60 characters in low accuracy), otherwise no detection (the lead's
country decides). A message is right, wrong or not
detected. `high-shared` builds the high-accuracy detector once and forks two processes that
detect with it, as a server that loads before forking would: their RSS counts the shared pages
in full, their PSS divides them between the processes.

    .venv/bin/python bench/language.py [--modes low,high,high-shared]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from leadflow.identity.language import Accuracy, _detect, _detector_for

SAMPLES = os.path.join(os.path.dirname(__file__), "data", "language-samples.tsv")
SERVED = frozenset({"de", "en", "ar", "ru", "fr", "tr", "uk", "kk"})
THRESHOLD = 0.6


def samples() -> list[tuple[str, str, str]]:
    with open(SAMPLES, encoding="utf-8", newline="") as handle:
        rows = csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return [(code, kind, text) for code, kind, text in rows]


def memory_mb() -> tuple[float, float]:
    """RSS and PSS of this process in MB."""
    figures = {}
    with open("/proc/self/smaps_rollup", encoding="ascii") as handle:
        for line in handle:
            name, _, rest = line.partition(":")
            figures[name] = int(rest.split()[0]) / 1024 if name in ("Rss", "Pss") else 0
    return figures["Rss"], figures["Pss"]


def detect_all(accuracy: Accuracy) -> dict[str, object]:
    """Every sample through the service's rule; counts per language and kind, and the time."""
    counts: Counter[str] = Counter()
    rows = samples()
    started = time.process_time()
    for code, kind, text in rows:
        guess = _detect(text, SERVED, THRESHOLD, accuracy)
        verdict = "none" if guess is None else "right" if guess.language == code else "wrong"
        counts[f"{code} {kind} {verdict}"] += 1
    cpu = time.process_time() - started
    return {"counts": dict(counts), "us_per_message": 1e6 * cpu / len(rows)}


def measure(mode: str) -> dict[str, object]:
    """Run in a child process (`--child MODE`): the figures of one mode, as JSON."""
    accuracy: Accuracy = "low" if mode == "low" else "high"
    before = memory_mb()[0]
    started = time.perf_counter()
    _detector_for(SERVED, accuracy)
    build_s = time.perf_counter() - started
    if mode != "high-shared":
        figures = detect_all(accuracy)
        rss, pss = memory_mb()
        return {**figures, "build_s": build_s, "added_mb": rss - before, "rss": rss, "pss": pss}
    children = []
    for _ in range(2):
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(reader)
            figures = detect_all(accuracy)
            time.sleep(1)  # both children alive when each reads its PSS
            rss, pss = memory_mb()
            os.write(writer, json.dumps({**figures, "rss": rss, "pss": pss}).encode())
            os._exit(0)
        os.close(writer)
        children.append((pid, reader))
    results = []
    for pid, reader in children:
        with os.fdopen(reader) as pipe:
            results.append(json.loads(pipe.read()))
        os.waitpid(pid, 0)
    first = results[0]
    rss = max(float(r["rss"]) for r in results)
    pss = max(float(r["pss"]) for r in results)
    return {**first, "build_s": build_s, "added_mb": rss - before, "rss": rss, "pss": pss}


def table(results: dict[str, dict[str, object]]) -> None:
    modes = list(results)
    kinds = ("short", "medium", "long")
    print("right / wrong / not detected, of the messages of ≥ 3 words (60 per cell)")
    print("language | " + " | ".join(f"{mode} {kind}" for mode in modes for kind in kinds))
    totals: Counter[str] = Counter()
    for code in sorted(SERVED):
        cells = []
        for mode in modes:
            counts = results[mode]["counts"]
            assert isinstance(counts, dict)
            for kind in kinds:
                right, wrong, none = (counts.get(f"{code} {kind} {v}", 0) for v in VERDICTS)
                totals.update({f"{mode} right": right, f"{mode} wrong": wrong})
                totals.update({f"{mode} none": none})
                cells.append(f"{right}/{wrong}/{none}")
        print(f"{code} | " + " | ".join(cells))
    for mode in modes:
        figures = results[mode]
        print(
            f"{mode}: right {totals[f'{mode} right']}, wrong {totals[f'{mode} wrong']}, "
            f"not detected {totals[f'{mode} none']}; detector built in "
            f"{figures['build_s']:.2f} s, +{figures['added_mb']:.0f} MB "
            f"(RSS {figures['rss']:.0f} MB, PSS {figures['pss']:.0f} MB), "
            f"{figures['us_per_message']:.0f} µs CPU a message"
        )
    print(
        "RESULT "
        + " ".join(
            f"{mode}_{name}={value}"
            for mode in modes
            for name, value in (
                ("right", totals[f"{mode} right"]),
                ("wrong", totals[f"{mode} wrong"]),
                ("mb", f"{results[mode]['added_mb']:.0f}"),
                ("pss_mb", f"{results[mode]['pss']:.0f}"),
                ("us", f"{results[mode]['us_per_message']:.0f}"),
            )
        )
    )


VERDICTS = ("right", "wrong", "none")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="low,high,high-shared", help="comma-separated")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    results = {}
    for mode in args.modes.split(","):
        done = subprocess.run(
            [sys.executable, __file__, "--child", mode], check=True, capture_output=True, text=True
        )
        results[mode] = json.loads(done.stdout)
    table(results)


if __name__ == "__main__":
    main()

"""What counting the report's tallies costs a declaration on the hot path (service/tallies.py).

    python benchmarks/tallies.py 100000

Counts N NOTI entries in batches of 1 000, as a submission does while it decides (one in ten with
a warning, over 2 000 employers), and prints the best of five rounds in microseconds a declaration;
run it with the installed (compiled) build: the module it reports is printed first.
"""

from __future__ import annotations

import argparse
import time

import flexibatch.service.tallies as tallies_module
from flexibatch.domain.anomalies import anomaly
from flexibatch.formats.answers import LocatedAnomaly, NotiEntry
from flexibatch.service.tallies import Tallies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=100_000)
    count = parser.parse_args().count
    print(tallies_module.__file__)
    warned = (LocatedAnomaly(anomaly("90373-460"), None),)
    entries = [
        NotiEntry(
            i,
            i,
            "DIMONA",
            "DIMN",
            "IN",
            None,
            (),
            f"1751{i % 2000:05d}",
            None,
            ("85010100107",),
            "7",
            warned if i % 10 == 0 else (),
            None,
        )
        for i in range(count)
    ]
    batches = [entries[b : b + 1000] for b in range(0, count, 1000)]
    best = float("inf")
    for _ in range(5):
        tallies = Tallies()
        started = time.perf_counter()
        for batch in batches:
            tallies.add(batch)
        best = min(best, time.perf_counter() - started)
    print(f"{best / count * 1e6:.3f} us a declaration ({count} declarations, best of 5)")


if __name__ == "__main__":
    main()

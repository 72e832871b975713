"""How soon `flexibatch watch` answers a one-declaration file after its GO file appears.

    python benchmarks/watch_latency.py --files 20

Starts `watch` on a fresh store, drops one single-declaration Dimona submission at a time, and times
from the GO file's creation to the NOTI's GO marker in the outbox. Prints median and worst.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from generate import SENDER, dimona_forms, write_refdata


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="flexibatch-latency-"))
    write_refdata(work / "refdata", 10)
    inbox, outbox = work / "inbox" / SENDER, work / "outbox"
    inbox.mkdir(parents=True)
    outbox.mkdir()
    env = {
        **os.environ,
        "FLEXIBATCH_STATE": str(work / "state.db"),
        "FLEXIBATCH_INBOX": str(work / "inbox"),
        "FLEXIBATCH_OUTBOX": str(outbox),
        "FLEXIBATCH_NOW": "2026-06-24T11:50:00",
    }
    subprocess.run(
        ["flexibatch", "refdata", "load", str(work / "refdata")], env=env, check=True, capture_output=True
    )
    watcher = subprocess.Popen(["flexibatch", "watch"], env=env, stderr=subprocess.DEVNULL)
    forms = list(dimona_forms(args.files, 10))
    latencies = []
    try:
        time.sleep(1.0)  # let watch start and take its first look: start-up is not what is measured
        for i, form in enumerate(forms, start=1):
            key = f"{SENDER}.20260624.{i:05d}.R"
            (inbox / f"FI.DIMN.{key}.1.1.xml").write_text(f'<?xml version="1.0"?>\n<Dimona>{form}</Dimona>\n')
            started = time.monotonic()
            (inbox / f"GO.DIMN.{key}.1").write_bytes(b"")
            marker = outbox / SENDER / f"GO.NOTI.{key}.DIMN"
            while not marker.exists():
                if time.monotonic() - started > 30:
                    raise SystemExit(f"no answer to {key} after 30 s")
                time.sleep(0.001)
            latencies.append(time.monotonic() - started)
    finally:
        watcher.send_signal(signal.SIGTERM)
        watcher.wait(timeout=30)
    print(
        f"{len(latencies)} one-declaration files: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"worst {max(latencies) * 1000:.0f} ms from GO file to GO.NOTI marker"
    )


if __name__ == "__main__":
    main()

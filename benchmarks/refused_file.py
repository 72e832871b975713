"""How long a huge refused XML file takes to answer, and how long the xmlschema second look is.

A Dimona file of N forms with a schema error every K-th form (an hour 2500) is read as a submission
is: libxml2 validates each batch; the refused ones are looked at again with xmlschema
(flexibatch/formats/schema_errors.py) until 1 000 diagnostics or 20 s of xmlschema time. Prints the
seconds, the diagnostics and the share written in xmlschema's words.

    python benchmarks/refused_file.py 200000 1        # every form wrong: the count bound
    python benchmarks/refused_file.py 200000 5000     # one error a batch: the time bound
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import dimona_forms

from flexibatch.formats.dimona_xml import dimona_reader
from flexibatch.formats.streams import Parts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("forms", type=int)
    parser.add_argument("every", type=int, help="a schema error every this many forms")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "refused.xml"
        with path.open("w", encoding="utf-8") as out:
            out.write('<?xml version="1.0" encoding="UTF-8"?>\n<Dimona>\n')
            for i, written in enumerate(dimona_forms(args.forms, 100)):
                form = written
                if i % args.every == args.every - 1:  # a CANCEL has no hour: it stays valid
                    form = re.sub(
                        r"<EndingHour>\d{4}</EndingHour>", "<EndingHour>2500</EndingHour>", form, count=1
                    )
                out.write(form + "\n")
            out.write("</Dimona>\n")
        reader = dimona_reader(5000)
        started = time.perf_counter()
        stream = Parts([path])
        for _ in reader.read(stream):
            pass
        stream.close()
        seconds = time.perf_counter() - started
    spent = reader._second.spent if reader._second else 0.0
    words = sum(1 for d in reader.diagnostics if not d.message.startswith("Not valid against the schema"))
    print(
        f"forms={args.forms} every={args.every} seconds={seconds:.2f} xmlschema_seconds={spent:.2f} "
        f"diagnostics={len(reader.diagnostics)} in_xmlschema_words={words}"
    )


if __name__ == "__main__":
    main()

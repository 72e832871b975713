"""A flexibatch installation in a temporary folder, driven the way the CLI drives it.

Real folders, the real store (SQLite, or PostgreSQL with a URL), the real Processor. Every answer is read through the XSD check.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flexibatch.config import load_settings
from flexibatch.formats.refdata import read_refdata
from flexibatch.service.run import Outcome, Processor
from flexibatch.store import Store, open_store
from support.answers import Decision, Receipt, read_acrf, read_noti, read_noti_csv

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


@dataclass
class Channel:
    root: Path
    now: datetime = datetime(2026, 6, 24, 11, 50)
    extra: dict[str, object] = field(default_factory=dict)
    #: A `postgresql://` URL, or by default a SQLite file in the root.
    url: str | None = None

    def __post_init__(self) -> None:
        self.inbox = self.root / "inbox_dir"
        self.outbox = self.root / "outbox_dir"
        self.state: Path | str = self.url or self.root / "state.db"
        self.inbox.mkdir(parents=True, exist_ok=True)
        self.outbox.mkdir(parents=True, exist_ok=True)
        self.store = open_store(str(self.state), "create", busy_timeout=60.0)
        self.store.refdata.replace(read_refdata(SAMPLES / "refdata"), "samples", datetime(2026, 1, 1))
        self._seq = 0

    @property
    def work(self) -> Path:
        return self.root / "state.work"

    def processor(
        self,
        now: datetime | None = None,
        wall_clock: Callable[[], float] = time.time,
        store: Store | None = None,
        **settings: object,
    ) -> Processor:
        """A processor of this installation, on its store or on another one of the same state (a
        second worker)."""
        config = load_settings(
            env={},
            state=str(self.state),
            work=self.work,
            inbox=self.inbox,
            outbox=self.outbox,
            now=now or self.now,
            **{"settle_seconds": 0.0, **self.extra, **settings},
        )
        return Processor(config, store or self.store, wall_clock)

    def run(
        self, now: datetime | None = None, wall_clock: Callable[[], float] = time.time, **settings: object
    ) -> list[Outcome]:
        """One `flexibatch run`; `wall_clock` is the real clock file ages and retries are measured on."""
        return self.processor(now, wall_clock, **settings).run_once()

    def drop(
        self, name: str, content: bytes = b"", folder: str | None = None, mtime: float | None = None
    ) -> Path:
        target = self.inbox / folder if folder else self.inbox
        target.mkdir(exist_ok=True)
        path = target / name
        path.write_bytes(content)
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        return path

    def submit(
        self,
        content: bytes,
        *,
        sender: str = "123456",
        env: str = "R",
        date: str = "20260624",
        seq: str | None = None,
        folder: str | None = "",
        purpose: str = "DIMN",
        extension: str = ".xml",
    ) -> str:
        """Drop one single-part FI and its GO; return the key `<SENDER>.<DATE>.<SEQ>.<ENV>`."""
        if seq is None:
            self._seq += 1
            seq = f"{self._seq:05d}"
        key = f"{sender}.{date}.{seq}.{env}"
        where = sender if folder == "" else folder
        self.drop(f"FI.{purpose}.{key}.1.1{extension}", content, where)
        self.drop(f"GO.{purpose}.{key}.1", b"", where)
        return key

    def folder_of(self, sender: str | None) -> Path:
        return self.outbox / sender if sender else self.outbox

    def receipt(self, key: str, folder: str | None = "", suffix: str = "", purpose: str = "DIMN") -> Receipt:
        where = self.folder_of(key.split(".", maxsplit=1)[0] if folder == "" else folder)
        return read_acrf(where / f"FO.ACRF.{key}.{purpose}{suffix}")

    def decisions(
        self, key: str, folder: str | None = "", suffix: str = "", purpose: str = "DIMN"
    ) -> list[Decision]:
        where = self.folder_of(key.split(".", maxsplit=1)[0] if folder == "" else folder)
        return read_noti(where / f"FO.NOTI.{key}.{purpose}{suffix}")

    def csv_rows(self, key: str, folder: str | None = "", suffix: str = "") -> list[dict[str, str]]:
        where = self.folder_of(key.split(".", maxsplit=1)[0] if folder == "" else folder)
        return read_noti_csv(where / f"FO.NOTI.{key}.DIMN{suffix}.csv")

    def decide(self, *forms: bytes, now: datetime | None = None, **submit: object) -> list[Decision]:
        """Submit one file (the forms already wrapped by `dimona(...)`), run, and return its decisions."""
        (content,) = forms
        key = self.submit(content, **submit)  # type: ignore[arg-type]
        self.run(now)
        receipt = self.receipt(key)
        assert receipt.accepted, f"the file was refused: {receipt.diagnostics}"
        return self.decisions(key)

    def all_answers(self) -> list[Path]:
        return sorted(p for p in self.outbox.rglob("*") if p.is_file())

    def close(self) -> None:
        self.store.close()

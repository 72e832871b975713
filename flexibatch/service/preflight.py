"""What `run`, `watch` and `replay` check before anything moves (SPEC 10)."""

from __future__ import annotations

from flexibatch.config import Settings
from flexibatch.errors import ConfigError
from flexibatch.store.ports import Store


def check_processing(settings: Settings, store: Store) -> None:
    """What `run` and `watch` check before anything moves (SPEC 10): folders that can serve and
    lie apart, a state of this release that holds reference data."""
    check_refdata(settings, store)
    for name, folder in (("outbox", settings.outbox), ("work folder", settings.work_dir)):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"the {name} {folder} cannot be created: {exc.strerror}") from None


def check_refdata(settings: Settings, store: Store) -> None:
    """A state that holds reference data, as `run`, `watch` and `decide` need."""
    if store.refdata.version() == 0:
        raise ConfigError(
            f"the state {settings.state} holds no reference data: load it with "
            "`flexibatch refdata load DIR` first, or every sender would be refused (ACRF-190)"
        )


def check_folders(settings: Settings) -> None:
    if not settings.inbox.is_dir():
        raise ConfigError(f"the inbox {settings.inbox} is not a folder")
    if settings.outbox.exists() and not settings.outbox.is_dir():
        raise ConfigError(f"the outbox {settings.outbox} is not a folder")
    settings.check_apart()

"""The one exception root for infrastructure failures (business problems are anomalies, not raised).

Each family is raised by the adapter that meets the fault, with the operating system's or SQLite's
error mapped into it there, so the CLI maps families, not causes, to exit statuses (cli.py).
"""


class FlexibatchError(Exception):
    """Something the operator must fix: storage, configuration, the file system."""


class ConfigError(FlexibatchError):
    """A usage or configuration problem, found before anything moves: exit status 2."""


class StoreError(FlexibatchError):
    """The state cannot serve: busy beyond the busy timeout, unreadable, failing mid-command."""


#: Why a transaction lost a race (StoreConflict.reason).
CONFLICT_REASONS = ("deadlock", "serialization_failure", "lock_timeout", "session_lost")


class StoreConflict(StoreError):
    """A transaction lost a race with another worker of a shared state (a deadlock, a lock not
    granted in time): it was rolled back whole, and deciding it again is the cure, not an answer.

    `reason`, one of CONFLICT_REASONS, is what `flexibatch_conflicts_total` counts it under;
    `session_lost` is the server ending the session (a restart, `pg_terminate_backend`)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class ChannelError(FlexibatchError):
    """The file system of the inbox, the outbox, the work folder or the report folder failed (vanished,
    read-only, full)."""


class NotFound(FlexibatchError):
    """What a view was asked about is not in the repertory (an employer no number names)."""

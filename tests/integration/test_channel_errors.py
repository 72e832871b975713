"""The channel's adapters map the file system's errors into ChannelError, naming the folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from flexibatch.channel.inbox import scan
from flexibatch.errors import ChannelError


def test_scanning_an_inbox_that_vanished_is_a_channel_error_naming_it(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    inbox.rmdir()  # gone between the command's check and its scan

    with pytest.raises(ChannelError, match=f"the inbox {inbox} cannot be read: No such file or directory"):
        scan(inbox, 0.0, 3600.0)


def test_scanning_a_file_given_as_the_inbox_is_a_channel_error(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.write_bytes(b"")

    with pytest.raises(ChannelError, match="Not a directory"):
        scan(inbox, 0.0, 3600.0)

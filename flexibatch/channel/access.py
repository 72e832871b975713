"""SPEC 1, SFTP: who besides the processor may read what it puts in the outbox's sender folders.

Behind an SFTP server with one chrooted account per sender, that account fetches its answers from
`outbox_dir/<sender>/` (docs/operations.md, "Deployment"). The processor gives that folder and the
answers in it the configured group (`sender_group`, `{sender}` standing for the sender number) and
modes; an answer gets them under its hidden temporary name, before it takes its own. Answers
directly in `outbox_dir/` and everything else the processor writes stay owner-only.
"""

from __future__ import annotations

import grp
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from flexibatch.errors import ChannelError
from flexibatch.files import private_dir


@dataclass(frozen=True, slots=True)
class SenderAccess:
    """The group and modes of a sender's outbox folder and answers (owner-only by default)."""

    group: str | None = None
    folder_mode: int = 0o700
    answer_mode: int = 0o600

    def _gid(self, sender: str) -> int:
        """The group's number, -1 (keep the group) when none is configured."""
        if self.group is None:
            return -1
        name = self.group.replace("{sender}", sender)
        try:
            return grp.getgrnam(name).gr_gid
        except KeyError:
            raise ChannelError(
                f"the group {name} of sender {sender}'s answers does not exist: create it (see "
                "docs/operations.md, Deployment) or change FLEXIBATCH_SENDER_GROUP"
            ) from None

    def _apply(self, path: Path, gid: int, mode: int) -> None:
        now = path.lstat()  # our own folder or temporary file, never a sender's link
        try:
            regrouped = gid not in (-1, now.st_gid)
            if regrouped:
                os.chown(path, -1, gid, follow_symlinks=False)  # before chmod: chown may drop setgid
            if regrouped or stat.S_IMODE(now.st_mode) != mode:
                path.chmod(mode)
        except PermissionError:
            if gid == -1:
                raise ChannelError(
                    f"{path} cannot be given the mode {mode:o}: it is not the processor's"
                ) from None
            raise ChannelError(
                f"{path} cannot be given the group {grp.getgrgid(gid).gr_name} and the mode {mode:o}: the "
                "processor's account must own it and be a member of that group (and start again once it is)"
            ) from None

    def folder(self, outbox: Path, sender: str | None) -> Path:
        """The outbox folder of a sender (created if missing), kept at the configured group and
        mode; the outbox itself, owner-only, for answers to files dropped directly in the inbox."""
        if sender is None:
            return private_dir(outbox)
        gid = self._gid(sender)  # first: no folder is made for a group that does not exist
        folder = private_dir(outbox / sender)
        self._apply(folder, gid, self.folder_mode)
        return folder

    def grant(self, path: Path, sender: str | None) -> None:
        """Give one answer (or its marker) in a sender's folder the configured group and mode."""
        if sender is not None:
            self._apply(path, self._gid(sender), self.answer_mode)

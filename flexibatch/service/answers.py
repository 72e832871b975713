"""A submission's answers: their names (a name already used gets `.2`, `.3`...) and publication.

The answers are rendered into the claim folder's `answers/` before the commit, under names chosen
then and recorded in the store with the submission; after the commit they are published, each
marked published as soon as it is in the outbox, so a recovery publishes only those after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from flexibatch.channel.access import SenderAccess
from flexibatch.channel.claims import Claim
from flexibatch.channel.names import SubmissionKey, answer_name, error_answer_name
from flexibatch.channel.outbox import publish
from flexibatch.config import Settings
from flexibatch.errors import ChannelError
from flexibatch.files import make_durable, write_private
from flexibatch.formats.answers import render_acrf
from flexibatch.store.base import AnswerRecord
from flexibatch.store.ports import Store

#: The claim folder's sub-folder the answers are rendered into.
ANSWERS = "answers"
#: What the NOTI writer writes into `answers/` while a file is decided, before it has its name.
NOTI_XML = "noti.xml"
NOTI_CSV = "noti.csv"
#: A claim folder holding this folder was answered before the state it is decided on was restored
#: from a backup (service/restore.py): it holds the answers the sender got (the outbox's own files,
#: never written to again), whose names the new ones take; they are not published again.
RESTORED = ".answered"
#: How many suffixes a restored claim's answers are looked for under.
_SUFFIXES = 1000


def answers_dir(taken: Claim) -> Path:
    return taken.directory / ANSWERS


def restored(taken: Claim) -> bool:
    return (taken.directory / RESTORED).is_dir()


class Answers:
    """Names, puts in place and publishes the answers of the submissions of one processor."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.access = SenderAccess(settings.sender_group, settings.sender_folder_mode, settings.answer_mode)

    def _fits(self, taken: Claim, names: list[str]) -> bool:
        if restored(taken):  # the names it was published under, which it holds already
            return (taken.directory / RESTORED / names[0]).exists()
        return all(self._name_free(taken.folder, name) for name in names)

    def _name_free(self, folder: str | None, name: str) -> bool:
        in_outbox = (self.settings.outbox / folder if folder else self.settings.outbox) / name
        return not self.store.answers.name_taken(folder or "", name) and not in_outbox.exists()

    def register(self, taken: Claim, key: SubmissionKey | None, *, accepted: bool) -> list[str]:
        """Choose the answers' names (a taken name gets .2, .3, ...) and put their files in place."""
        counter = 1
        while True:
            if key is None:
                names = [error_answer_name(taken.file_name, counter)]
            elif accepted:
                names = [
                    answer_name("ACRF", key, counter),
                    answer_name("NOTI", key, counter, "csv"),
                    answer_name("NOTI", key, counter),
                ]
            else:
                names = [answer_name("ACRF", key, counter)]
            if self._fits(taken, names):
                break
            if counter > _SUFFIXES and restored(taken):
                raise ChannelError(f"the answers of the restored claim {taken.directory} are missing")
            counter += 1
        answers = answers_dir(taken)
        if accepted:
            write_private(answers / names[0], render_acrf(taken.file_name, taken.ticket, [], taken.reception))
            (answers / NOTI_CSV).replace(answers / names[1])
            (answers / NOTI_XML).replace(answers / names[2])
            make_durable([answers / name for name in names])
        return names

    def records(self, taken: Claim, names: list[str]) -> Iterator[AnswerRecord]:
        published = restored(taken)  # the sender has them already
        for position, name in enumerate(names, start=1):
            yield AnswerRecord(taken.ticket, position, taken.folder or "", name, published)

    def publish(self, taken: Claim) -> None:
        """Publish the answers not yet published, each recorded as soon as it is in the outbox: a
        client may fetch and delete the receipt before the NOTI fails (a full disk), and a recovery
        must not put the receipt there again (SPEC 1.3, exactly once)."""
        pending = self.store.answers.unpublished(taken.ticket)
        if not pending:
            return
        target = self.access.folder(self.settings.outbox, taken.folder)
        for answer in pending:
            publish(
                answers_dir(taken) / answer.name,
                target,
                answer.name,
                with_marker=not answer.name.endswith(".csv"),
                grant=lambda path: self.access.grant(path, taken.folder),
            )
            with self.store.transaction():
                self.store.answers.mark_published(taken.ticket, answer.order)

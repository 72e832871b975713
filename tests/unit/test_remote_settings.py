"""The settings of workers on other hosts: the role of `run`/`watch` and the peer timeout."""

from __future__ import annotations

import pytest

from flexibatch.config import load_settings
from flexibatch.errors import ConfigError


def test_the_peer_timeout_and_the_role_are_read_from_their_variables() -> None:
    settings = load_settings(env={"FLEXIBATCH_PEER_TIMEOUT": "3", "FLEXIBATCH_ROLE": "intake"})
    assert (settings.peer_timeout_seconds, settings.role) == (3.0, "intake")
    assert (load_settings(env={}).peer_timeout_seconds, load_settings(env={}).role) == (30.0, "all")


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        (
            "FLEXIBATCH_PEER_TIMEOUT",
            "1",
            "FLEXIBATCH_PEER_TIMEOUT must be a number of seconds from 2 to 7200",
        ),
        ("FLEXIBATCH_ROLE", "worker", "FLEXIBATCH_ROLE must be all"),
    ],
)
def test_a_wrong_value_is_one_sentence_naming_its_variable(variable: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(env={variable: value})
    assert words in str(refused.value)
    assert "\n" not in str(refused.value)

"""Each command the parser knows has a handler of its own: none falls through to another."""

from __future__ import annotations

import argparse

from flexibatch.cli import HANDLERS, _parser


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> set[str]:
    found: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                inner = _commands(sub, f"{prefix}{name} ")
                found |= inner or {f"{prefix}{name}"}
    return found


def test_every_command_has_its_own_handler() -> None:
    assert _commands(_parser()) == set(HANDLERS)
    assert len(set(map(id, HANDLERS.values()))) == len(HANDLERS)

"""Windows command lines split as CommandLineToArgvW does, and read back what list2cmdline wrote."""

from __future__ import annotations

import subprocess

import pytest

from tray_app.core.winargs import split_command_line

PROGRAM = r"C:\Users\Ana María\AppData\Local\Programs\Token Tray\token-tray-gui.exe"


@pytest.mark.parametrize(
    ("line", "argv"),
    [
        ("", []),
        (r"C:\tt\token-tray.exe", [r"C:\tt\token-tray.exe"]),
        (f'"{PROGRAM}"', [PROGRAM]),
        (f'"{PROGRAM}" --demo', [PROGRAM, "--demo"]),
        # the examples of Microsoft's "Parsing C command-line arguments"
        (r'p "a b c" d e', ["p", "a b c", "d", "e"]),
        (r'p "ab\"c" "\\" d', ["p", 'ab"c', "\\", "d"]),
        (r'p a\\\b d"e f"g h', ["p", r"a\\\b", "de fg", "h"]),
        (r"p a\\\"b c d", ["p", r"a\"b", "c", "d"]),
        (r'p a\\\\"b c" d e', ["p", r"a\\b c", "d", "e"]),
        ('p  \t ""  x', ["p", "", "x"]),
        # the program name takes no escapes: a backslash before its closing quote is a folder's
        (r'"C:\Program Files\\" x', ["C:\\Program Files\\\\", "x"]),
    ],
)
def test_split_command_line(line: str, argv: list[str]) -> None:
    assert split_command_line(line) == argv


@pytest.mark.parametrize(
    "arguments",
    [
        [],
        ["--demo"],
        ["two words", "", 'a "quoted" word', "trailing\\", "back\\\\slashes", "tab\there"],
    ],
)
def test_what_list2cmdline_writes_comes_back(arguments: list[str]) -> None:
    argv = [PROGRAM, *arguments]
    assert split_command_line(subprocess.list2cmdline(argv)) == argv

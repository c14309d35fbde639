"""Splitting a Windows command line into its arguments the way Windows does.

Start at login on Windows is a command line in the registry (``Run``), written with
:func:`subprocess.list2cmdline`. To say which program it starts, the value must be read back
with Windows' own rules — a path with a space (``C:\\Program Files\\…``, or the
``…\\Programs\\Token Tray\\…`` folder the README suggests) comes back in double quotes. The
rules are those Microsoft documents for ``CommandLineToArgvW`` (shellapi.h, "Remarks") and
"Parsing C command-line arguments":

* the first argument is the program name: when it starts with a double quote it runs to the
  next double quote, with no escapes (a path cannot contain ``"``); otherwise to the first space
  or tab;
* later arguments are separated by spaces or tabs outside double quotes;
* 2n backslashes before a double quote give n backslashes, and the quote switches "in quotes"
  on or off; 2n+1 backslashes before a double quote give n backslashes and a literal quote;
  backslashes not before a double quote are taken literally.

Pure Python (no ``ctypes``), so it runs and is tested on every platform.
"""

from __future__ import annotations

BLANKS = " \t"


def split_command_line(line: str) -> list[str]:
    """The arguments of ``line``, program first; ``[]`` for an empty line."""
    if not line:
        return []
    program, rest = _program(line)
    return [program, *_arguments(rest)]


def _program(line: str) -> tuple[str, str]:
    if line.startswith('"'):
        end = line.find('"', 1)
        return (line[1:], "") if end < 0 else (line[1:end], line[end + 1 :])
    for index, char in enumerate(line):
        if char in BLANKS:
            return line[:index], line[index:]
    return line, ""


def _arguments(text: str) -> list[str]:
    arguments: list[str] = []
    index = 0
    while True:
        while index < len(text) and text[index] in BLANKS:
            index += 1
        if index >= len(text):
            return arguments
        argument, index = _argument(text, index)
        arguments.append(argument)


def _argument(text: str, index: int) -> tuple[str, int]:
    """One argument starting at ``index``; returns it and where the next one may start."""
    parts: list[str] = []
    quoted = False
    while index < len(text) and (quoted or text[index] not in BLANKS):
        char = text[index]
        if char == "\\":
            end = index
            while end < len(text) and text[end] == "\\":
                end += 1
            count = end - index
            if end < len(text) and text[end] == '"':
                parts.append("\\" * (count // 2) + ('"' if count % 2 else ""))
                quoted = quoted if count % 2 else not quoted
                index = end + 1
            else:
                parts.append("\\" * count)
                index = end
        elif char == '"':
            quoted = not quoted
            index += 1
        else:
            parts.append(char)
            index += 1
    return "".join(parts), index

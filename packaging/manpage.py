"""The man page token-tray(1), generated from the command line's own argparse parser.

``python packaging/manpage.py`` writes packaging/man/token-tray.1; the wheel installs it as
``share/man/man1/token-tray.1`` and the Linux bundle's install.sh copies it. The file is kept in
the repository so a wheel can be built without running Token Tray's code; a test regenerates it
and fails when the committed one differs (``--check`` does the same here).

A small generator rather than a dependency: argparse's own help texts already carry everything,
and only roff's escaping rules need care (backslashes, hyphens, lines starting with a dot).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout

from tray_app.cli.main import build_parser  # noqa: E402 - after the path is set

OUTPUT = ROOT / "packaging" / "man" / "token-tray.1"
ENVIRONMENT = (
    ("TOKEN_TRAY_CONFIG_DIR", "use this folder for config.json instead of the usual one"),
    ("TOKEN_TRAY_RUNTIME_DIR", "the folder of the socket the running Token Tray listens on"),
)


def roff(text: str) -> str:
    """``text`` safe in roff: escaped backslashes and hyphens, no line starting a request."""
    escaped = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(
        "\\&" + line if line.startswith((".", "'")) else line for line in escaped.splitlines()
    )


def literal(text: str) -> list[str]:
    """A block printed as it is (usage lines, examples)."""
    return [".nf", roff(text.rstrip("\n")), ".fi"]


def _option(action: argparse.Action) -> list[str]:
    names = ", ".join(action.option_strings) or str(action.metavar or action.dest)
    if action.option_strings and action.nargs != 0:
        names += f" {action.metavar or action.dest.upper()}"
    choices = f" (one of: {', '.join(map(str, action.choices))})" if action.choices else ""
    return [".TP", f"\\fB{roff(names)}\\fR", roff(f"{action.help or ''}{choices}")]


def _options(parser: argparse.ArgumentParser) -> Iterator[str]:
    for action in parser._actions:
        is_commands = isinstance(action, argparse._SubParsersAction)
        if action.help != argparse.SUPPRESS and not is_commands and action.dest != "help":
            yield from _option(action)


def _commands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """(summary, parser) of every subcommand, depth first, in the order of ``--help``."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            summaries = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield summaries.get(name, ""), sub
                yield from _commands(sub)


def _command(summary: str, parser: argparse.ArgumentParser) -> list[str]:
    lines = [f'.SS "{roff(parser.prog)}"', roff(summary), *literal(parser.format_usage())]
    lines += list(_options(parser))
    if parser.epilog:
        lines += [".PP", *literal(parser.epilog)]
    return lines


def manpage() -> str:
    os.environ["COLUMNS"] = "80"  # argparse wraps usage lines to the terminal: keep it fixed
    parser = build_parser()
    lines = [
        '.TH TOKEN\\-TRAY 1 "" "Token Tray" "User Commands"',
        ".SH NAME",
        f"token\\-tray \\- {roff(parser.description or '')}",
        ".SH SYNOPSIS",
        *literal(parser.format_usage()),
        ".SH DESCRIPTION",
        roff("Without a command, token-tray starts the tray icon (or, when it already runs, "),
        roff("opens its settings window). Every command's own --help says the same as below."),
        ".SH OPTIONS",
        *_options(parser),
        ".SH COMMANDS",
    ]
    for summary, sub in _commands(parser):
        lines += _command(summary, sub)
    lines += [".SH EXAMPLES AND EXIT STATUS", *literal(parser.epilog or "")]
    lines.append(".SH ENVIRONMENT")
    for name, meaning in ENVIRONMENT:
        lines += [".TP", f"\\fB{roff(name)}\\fR", roff(meaning)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--check", action="store_true", help="fail if the committed page differs")
    check = args.parse_args(argv).check
    text = manpage()
    if check:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is out of date: run python packaging/manpage.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Team profiles: a profile as a small JSON file a team lead hands out — never with the secret.

The file looks like::

    {"format": "token-tray-profile", "version": 1,
     "profile": {"name": "Tarkov API", "token_url": "https://…", "client_id": "…", …}}

Design decisions:

* **Never a secret.** Profiles hold no secret to begin with; the file also leaves out the
  profile's id (the importer gets a fresh one, so two imports never share a keyring entry) and
  the CA bundle path (a path on the lead's computer means nothing on the teammate's), and for
  the key methods the key and certificate paths and the key ID: each teammate has a key of
  their own, chosen after the import. A file
  that carries anything secret-looking (``client_secret``, ``secret``, ``password``,
  ``access_token``) is refused: Token Tray never writes one, so someone added it by hand.
* **Validated like everything else**: :func:`~tray_app.core.presets.all_problems` (the URL
  rules — https only, plain http only for loopback — names, scopes, the preset's typical
  mistakes). Problems are reported with the field's name; nothing is saved on refusal. A file
  whose preset decides the Token URL (Tarkov Database) but names another URL is refused: it
  would show the provider's name while the secret went elsewhere. Names holding bidi overrides
  or other invisible characters are refused too. :func:`destination` names the token host in
  plain words, shown before anything is saved.
* **Versioned.** ``version`` must be a version this Token Tray knows (1); a newer file says to
  update Token Tray, instead of half-reading it. Unknown keys inside ``profile`` are ignored, as
  in config.json.
* **Name clashes** are reported with the free name :func:`free_name` suggests, so the command
  line can say ``--name`` and the dialog can offer the new name.
* Reading is capped at 64 KiB: a profile is a few hundred bytes, and a huge file dropped on the
  dialog by mistake must not hang it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tray_app.core import json_text
from tray_app.core.errors import AppError, ErrorKind, usage_error
from tray_app.core.presets import all_problems
from tray_app.core.profile import FIELD_LABELS, MAX_NAME_LENGTH, Profile, new_profile_id

FORMAT = "token-tray-profile"
VERSION = 1
MAX_FILE_BYTES = 64 * 1024
SUFFIX = ".json"
_LEFT_OUT = ("id", "ca_bundle", "key_file", "cert_file", "key_id")
_SECRET_KEYS = frozenset(
    {"client_secret", "secret", "password", "access_token", "token", "private_key", "key"}
)
_KEY_MARK = "PRIVATE KEY-----"
_TITLE = "Profile file cannot be imported"


def export_data(profile: Profile) -> dict[str, Any]:
    """The JSON document for ``profile`` (no secret, no id, no local CA bundle path)."""
    data = {k: v for k, v in profile.to_dict().items() if k not in _LEFT_OUT}
    return {"format": FORMAT, "version": VERSION, "profile": data}


def export_text(profile: Profile) -> str:
    """:func:`export_data` as pretty JSON with a final newline."""
    return json.dumps(export_data(profile), indent=2, ensure_ascii=False) + "\n"


def suggested_file_name(profile: Profile) -> str:
    """'Tarkov API.json' with characters unsafe in file names replaced."""
    safe = "".join(c if c.isalnum() or c in " -_." else "_" for c in profile.name).strip(" .")
    return (safe or "profile") + SUFFIX


def _refuse(message: str) -> AppError:
    return usage_error(_TITLE, message)


def _envelope(text: str) -> dict[str, Any]:
    try:
        data = json_text.loads(text)
    except ValueError:
        raise _refuse("This file is not a Token Tray profile (it is not JSON).") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _refuse("This file is not a Token Tray profile. Ask for one made with Export.")
    version = data.get("version")
    if version != VERSION:
        raise _refuse(
            f"This profile file has version {json.dumps(version)[:20]}, but this Token Tray "
            f"reads version {VERSION} only. Update Token Tray, or ask for a new export."
        )
    profile = data.get("profile")
    if not isinstance(profile, dict):
        raise _refuse("The file has no profile in it. Ask for a new export.")
    return profile


def _check_no_secret(fields: dict[str, Any]) -> None:
    found = sorted(key for key in fields if key.lower() in _SECRET_KEYS)
    found += sorted(k for k, v in fields.items() if isinstance(v, str) and _KEY_MARK in v)
    if found:
        raise _refuse(
            f"This file contains “{found[0]}”. Profile files never carry a secret or a token: "
            "delete this file, ask for a new export, and get the secret separately."
        )


def parse_profile(text: str) -> Profile:
    """The profile in an exported file, with a fresh id; refuses anything not valid."""
    fields = _envelope(text)
    _check_no_secret(fields)
    cleaned = {k: v for k, v in fields.items() if k not in _LEFT_OUT}
    try:
        profile = Profile.from_dict({**cleaned, "id": new_profile_id()})
    except AppError as error:
        raise _refuse(error.message) from None
    if profile.unreadable:
        field = profile.unreadable[0]
        raise _refuse(
            f"It has an invalid field ({field}): its value has the wrong type. Ask for a new "
            "export."
        )
    problems = all_problems(profile)
    if problems:
        field, message = next(iter(problems.items()))
        label = FIELD_LABELS.get(field, field)
        raise _refuse(f"Its {label} cannot be used: {message}")
    return profile


def read_profile_file(path: Path) -> Profile:
    """Read and parse an exported file (blocking I/O: off the GUI thread)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise AppError(
            ErrorKind.USAGE, "Profile file cannot be read", f"{path}: {exc.strerror or exc}."
        ) from None
    if len(raw) > MAX_FILE_BYTES:
        raise _refuse("This file is far too big to be a Token Tray profile.")
    try:
        return parse_profile(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _refuse("This file is not a Token Tray profile (it is not text).") from None


def destination(profile: Profile) -> str:
    """Where the secret will go, in plain words: shown before an imported profile is saved."""
    host = urlsplit(profile.token_url.strip()).hostname or profile.token_url.strip()
    return (
        f"Its tokens come from {host}: the client secret you enter will be sent there. Continue "
        "only if you expected this server."
    )


def write_profile_file(profile: Profile, path: Path) -> Path:
    """Write the export of ``profile`` to ``path`` (blocking I/O)."""
    try:
        path.write_text(export_text(profile), encoding="utf-8")
    except OSError as exc:
        raise AppError(
            ErrorKind.USAGE, "Profile could not be exported", f"{path}: {exc.strerror or exc}."
        ) from None
    return path


def free_name(name: str, taken: set[str], *, copy: bool = False) -> str:
    """A profile name not in ``taken`` (casefolded), within the name length limit.

    ``name`` itself if free, else 'name (2)', 'name (3)', …; for a copy of a profile
    'name (copy)', 'name (copy 2)', … so the list shows which one is the copy.
    """
    for number in range(1, 1000):
        suffix = _copy_suffix(number) if copy else ("" if number == 1 else f" ({number})")
        candidate = name[: MAX_NAME_LENGTH - len(suffix)] + suffix if suffix else name
        if candidate.casefold() not in taken:
            return candidate
    return name


def _copy_suffix(number: int) -> str:
    return " (copy)" if number == 1 else f" (copy {number})"


def name_clash(name: str, taken: set[str], advice: str = "") -> AppError | None:
    """The error for importing ``name`` when a profile of that name exists, else ``None``."""
    if name.casefold() not in taken:
        return None
    return usage_error(
        "Name already used",
        f"You already have a profile named “{name}”. Import it under another name, e.g. "
        f"“{free_name(name, taken)}”.{advice}",
    )

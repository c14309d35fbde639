"""Load the build-time modules of ``packaging/`` for tests.

``packaging/`` is not an importable package on purpose: its name would shadow the PyPI
``packaging`` library that pip and pytest import. The build script puts the folder on
``sys.path``; tests load the modules by path instead.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from tests.support.processes import REPO_ROOT

FOLDER = REPO_ROOT / "packaging"


def load(name: str) -> ModuleType:
    """``packaging/<name>.py`` as module ``token_tray_packaging_<name>`` (loaded once)."""
    qualified = f"token_tray_packaging_{name}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    spec = importlib.util.spec_from_file_location(qualified, FOLDER / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module
    spec.loader.exec_module(module)
    return module

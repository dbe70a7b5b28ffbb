"""Checks: each a small module registered under a dotted id (see ``registry``).

Importing this package imports every check module so that all are registered.
"""

import importlib
import pkgutil

from sfo_nlp.checks.registry import CheckContext, CheckSpec, all_checks, get, register, run_checks

for _mod in pkgutil.iter_modules(__path__):
    if _mod.name != "registry" and not _mod.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_mod.name}")

__all__ = ["CheckContext", "CheckSpec", "all_checks", "get", "register", "run_checks"]

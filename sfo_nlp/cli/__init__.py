"""Command-line interface: one thin module per subcommand, discovered here.

Each module in this package imports ``app`` from ``sfo_nlp.cli.app`` and adds its
command(s); business logic lives in the pipeline packages, not here.
"""

import importlib
import pkgutil

from sfo_nlp.cli.app import app
from sfo_nlp.cli.common import run_app

for _mod in pkgutil.iter_modules(__path__):
    if _mod.name not in ("app", "common") and not _mod.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_mod.name}")


def main() -> None:
    run_app(app)


__all__ = ["app", "main"]

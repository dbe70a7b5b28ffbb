"""The typer app every command module adds its subcommand to."""

import typer

app = typer.Typer(
    name="sfo-nlp",
    help="Pre-screen Serious Further Offence (SFO) reviews against HMIP's quality standards. "
    "Everything runs on this machine; nothing is sent anywhere.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


@app.callback()
def _root() -> None:
    """Pre-screen Serious Further Offence (SFO) reviews against HMIP's quality standards."""

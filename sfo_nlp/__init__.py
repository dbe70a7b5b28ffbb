"""sfo-nlp: pre-screens Serious Further Offence reviews against HMIP's standards."""

__version__ = "0.1.0"

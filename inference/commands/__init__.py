"""Subcommands of the ``foreign-desk`` console script, one module each with a ``register(subparsers)``."""

"""The `ringback` command line (entry point: ``ringback.interfaces.cli.main:main``)."""

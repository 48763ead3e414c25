"""``python -m ringback`` is the ``ringback`` command (the supervisor starts children so)."""

from ringback.interfaces.cli.main import main

raise SystemExit(main())

"""`python -m server.cli`: the `govsocial` command without the console script."""

from server.cli.main import main

raise SystemExit(main())

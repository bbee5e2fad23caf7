"""`python -m bot` is `pingyi`."""

from bot.cli.main import main

raise SystemExit(main())

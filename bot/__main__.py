"""`python -m bot` is `pingyi`."""

from bot.cli import main

raise SystemExit(main())

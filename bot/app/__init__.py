"""Start-up: settings, the wired services, the runtime that owns them."""

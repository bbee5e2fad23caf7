"""Hypothesis profiles: ``ci`` (the default) and ``dev``, a longer run for local use.

Choose one with HYPOTHESIS_PROFILE=dev; the fuzz tests (``pytest -m fuzz``) scale with it.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", print_blob=True)
settings.register_profile("dev", max_examples=1000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

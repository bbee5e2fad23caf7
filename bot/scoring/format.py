"""The one place that formats a score for people."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def format_pct(value: Decimal | None, places: int = 1) -> str:
    """A satisfaction or score as "87.3%" (half up, as 评议办 tables round); "—" for none."""
    if value is None:
        return "—"
    quantum = Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum, rounding=ROUND_HALF_UP)}%"

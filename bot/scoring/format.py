"""The one place that formats a score for people."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def format_pct(value: Decimal | None, places: int = 1) -> str:
    """A satisfaction or score as "87.3%" (half up, as 评议办 tables round); "—" for none."""
    if value is None:
        return "—"
    quantum = Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum, rounding=ROUND_HALF_UP)}%"


def format_points(value: Decimal | None, places: int = 2) -> str:
    """A composite or component score in points, "87.35" (half up); "—" for none."""
    if value is None:
        return "—"
    return str(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def format_interval(low: Decimal | None, high: Decimal | None, places: int = 1) -> str:
    """A confidence interval as "83.1–91.4%"; "—" without one."""
    if low is None or high is None:
        return "—"
    quantum = Decimal(1).scaleb(-places)
    lo = low.quantize(quantum, rounding=ROUND_HALF_UP)
    hi = high.quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{lo}–{hi}%"


def format_rank_change(moved: int | None) -> str:
    """Places moved since last round: "↑2", "↓1", "=" (same rank); "—" without both ranks."""
    if moved is None:
        return "—"
    if moved == 0:
        return "="
    return f"↑{moved}" if moved > 0 else f"↓{-moved}"


def format_pct_change(delta: Decimal | None, places: int = 1) -> str:
    """Percentage points since last round, signed: "+3.3", "-1.2", "±0.0"; "—" without both."""
    if delta is None:
        return "—"
    value = delta.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if value == 0:
        return f"±{abs(value)}"
    return f"+{value}" if value > 0 else str(value)

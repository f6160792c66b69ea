"""Order lines of ``oms_order_items.csv``, built bottom-up so that amounts add up to the cent.

Each line is a catalogue SKU at its shelf price (sometimes a promotional price), an integer quantity and
an optional discount, all in integer cents: ``net = quantity * unit_price - discount`` holds exactly, and
an order's ``net_amount`` is defined as the sum of its line nets. RETURN lines have a negative quantity
and no discount, so their nets are negative too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.generate.reference import Catalogue
from analytics.generate.render import Defect, amounts, apply_defects, ids, integers, join_lines

__all__ = ["ITEM_DEFECTS", "Lines", "build_lines", "vat_cents", "render_items"]

ITEM_DEFECTS: tuple[Defect | None, ...] = (
    None,
    Defect("non_numeric_net_amount", "net_amount", "12,5O"),
    Defect("non_numeric_quantity", "quantity", "two"),
    Defect("empty_order_id", "order_id", ""),
    Defect("missing_column", None, "missing"),
)
SALE_LINE_COUNTS = (0.64, 0.25, 0.08, 0.03)    # 1..4 lines, mean ~1.5
RETURN_LINE_COUNTS = (0.85, 0.12, 0.03, 0.0)
QUANTITIES = (0.86, 0.10, 0.03, 0.01)          # 1..4 units
COST_MISSING_SHARE = 0.20


@dataclass
class Lines:
    """Line arrays, grouped by order (``order`` is the position of the line's order, ascending)."""

    order: np.ndarray
    line_no: np.ndarray
    sku: np.ndarray
    quantity: np.ndarray
    unit_price: np.ndarray     # cents
    discount: np.ndarray       # cents
    net: np.ndarray            # cents
    cost: np.ndarray           # cents
    cost_missing: np.ndarray
    order_net: np.ndarray      # cents, one per order


def build_lines(rng: np.random.Generator, catalogue: Catalogue, is_return: np.ndarray,
                currency: np.ndarray) -> Lines:
    """1–4 lines per order; ``currency`` (0 AED, 1 SAR) picks the price list."""
    n = len(is_return)
    counts = np.where(is_return, rng.choice(4, size=n, p=RETURN_LINE_COUNTS),
                      rng.choice(4, size=n, p=SALE_LINE_COUNTS)) + 1
    order = np.repeat(np.arange(n), counts)
    starts = np.cumsum(counts) - counts
    line_no = np.arange(len(order)) - np.repeat(starts, counts) + 1
    total = len(order)

    sku = np.searchsorted(catalogue.popularity_cdf, rng.random(total), side="right")
    sku = np.minimum(sku, len(catalogue.popularity_cdf) - 1)
    unit = catalogue.price_cents[sku, currency[order]]
    promo = rng.random(total) < 0.12
    unit = np.where(promo, np.round(unit * (1 - rng.uniform(0.10, 0.30, total))).astype(np.int64), unit)
    returned = is_return[order]
    quantity = rng.choice(4, size=total, p=QUANTITIES) + 1
    quantity = np.where(returned, -np.where(rng.random(total) < 0.9, 1, 2), quantity)
    gross = quantity * unit
    discounted = ~returned & (rng.random(total) < 0.15)
    discount = np.where(discounted, np.round(gross * rng.uniform(0.05, 0.25, total)).astype(np.int64), 0)
    net = gross - discount
    cost = np.round(net * catalogue.cost_share[sku]).astype(np.int64)
    return Lines(order=order, line_no=line_no, sku=sku, quantity=quantity, unit_price=unit,
                 discount=discount, net=net, cost=cost, cost_missing=rng.random(total) < COST_MISSING_SHARE,
                 order_net=np.add.reduceat(net, starts) if n else net[:0])


def vat_cents(net: np.ndarray, percent: np.ndarray) -> np.ndarray:
    """VAT in cents, rounded half away from zero (the sign follows the net amount)."""
    return np.sign(net) * ((np.abs(net) * percent + 50) // 100)


def render_items(rows: pd.DataFrame, catalogue: Catalogue, order_width: int) -> pa.Array:
    """CSV lines of ``oms_order_items.csv`` for ``rows`` (in their order)."""
    sku = rows["sku"].to_numpy()
    columns = {
        "order_id": ids("O", rows["order_no"].to_numpy(), order_width),
        "line_no": integers(rows["line_no"].to_numpy()),
        "sku": catalogue.sku.take(pa.array(sku)),
        "category": catalogue.category_names.take(pa.array(catalogue.category[sku])),
        "quantity": integers(rows["quantity"].to_numpy()),
        "unit_price": amounts(rows["unit_price"].to_numpy(), 2),
        "discount_amount": amounts(rows["discount"].to_numpy(), 2),
        "net_amount": amounts(rows["net"].to_numpy(), 2),
        "cost_amount": amounts(rows["cost"].to_numpy(), 2, empty=rows["cost_missing"].to_numpy()),
    }
    lines = join_lines(list(columns.values()))
    return apply_defects(lines, columns, rows["defect"].to_numpy(), ITEM_DEFECTS)

"""When the rows of a month's orders arrive: drops, late arrivals, updates, re-sends and bad rows.

An order placed on store-local day D is normally in the drop dated D+1, with its lines. Then:

- ~1 % arrive 2–6 days late (drop D+3..D+7);
- ~0.05 % (at least 3 a month) from the month's last 3 days arrive on the 4th–15th of the next month,
  after the month froze (2nd, 06:00 Riyadh);
- PENDING orders get a full row with their final status 1–5 drops later (some of the last days' orders
  after the freeze); ~0.5 % of COMPLETED orders are cancelled 1–10 drops later;
- ~0.5 % of rows are re-sent unchanged 1–10 drops later;
- a few orders (~0.01 %, at least 6 over the data set) are delivered once, malformed, and some of their
  lines get an extra malformed line; no valid order has a malformed line.

Anything that would arrive after the last drop is not written (it has not arrived yet).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.generate.customers import count_for, local_instants, pick, spread_minimum
from analytics.generate.items import ITEM_DEFECTS, render_items
from analytics.generate.orders import STORE_COUNTRY, STORE_OFFSET, MonthOrders
from analytics.generate.period import Period
from analytics.generate.reference import (
    ALL_STORES,
    CANCELLED,
    COMPLETED,
    CURRENCIES,
    FLAGS,
    FULFILLED,
    ORDER_TYPES,
    PENDING,
    STATUSES,
)
from analytics.generate.render import Defect, amounts, apply_defects, ids, join_lines, lookup, timestamps

__all__ = ["ORDER_DEFECTS", "ITEM_DEFECTS", "schedule_month", "render_orders", "render_items"]

ORDER_DEFECTS: tuple[Defect | None, ...] = (
    None,
    Defect("invalid_order_ts", "order_ts", "{year}-13-45T10:00:00+04:00"),
    Defect("order_ts_not_a_timestamp", "order_ts", "yesterday"),
    Defect("non_numeric_net_amount", "net_amount", "12,5O"),
    Defect("unknown_currency", "currency_code", "USD"),
    Defect("empty_order_id", "order_id", ""),
    Defect("extra_column", None, "extra"),
)
MIN_BAD_ORDERS, MIN_BAD_ITEMS = 6, 5  # over the whole data set: every defect kind at least once


def _after(rng: np.random.Generator, days: np.ndarray, low: int, high: int) -> np.ndarray:
    return days + rng.integers(low, high + 1, len(days))


def schedule_month(rng: np.random.Generator, orders: MonthOrders, period: Period, m: int,
                   defects_so_far: tuple[int, int]) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Order rows and item rows of month ``m`` with the day of the drop that carries each one."""
    n = len(orders)
    last = period.month_bounds(m)[1]
    next_first = last + 1
    day, status = orders.day, orders.status.copy()
    free = ~orders.protected
    drop = day + 1

    late = pick(rng, np.flatnonzero(free), count_for(0.01, n))
    drop[late] = _after(rng, day[late], 3, 7)
    taken = np.zeros(n, dtype=bool)
    taken[late] = True
    after_freeze = next_first + 3 <= period.end
    frozen_late = orders.day[:0]
    if after_freeze:
        candidates = np.flatnonzero(free & ~taken & (day >= last - 2) & (status != PENDING))
        frozen_late = pick(rng, candidates, count_for(0.0005, n, 3))
        drop[frozen_late] = np.minimum(_after(rng, np.full(len(frozen_late), next_first), 3, 14), period.end)
        taken[frozen_late] = True

    forced_pending = orders.day[:0]
    if after_freeze:  # a PENDING order of the last day, completed after the freeze
        candidates = np.flatnonzero(free & ~taken & (day == last) & (orders.order_type == 0)
                                    & ((status == COMPLETED) | (status == FULFILLED)))
        forced_pending = pick(rng, candidates, 1)
        status[forced_pending] = PENDING
    pending = np.flatnonzero(status == PENDING)
    settle = _after(rng, drop[pending], 1, 5)
    final = np.where(rng.random(len(pending)) < 0.8, COMPLETED, CANCELLED)
    if len(forced_pending):
        at = np.searchsorted(pending, forced_pending)
        settle[at] = _after(rng, np.full(len(at), next_first), 2, 2 + min(3, period.end - next_first - 2))
        final[at] = COMPLETED
    taken[pending] = True

    cancelled = pick(rng, np.flatnonzero(free & ~taken & (status == COMPLETED)), count_for(0.005, n, 1))
    taken[cancelled] = True
    resent = pick(rng, np.flatnonzero(free & ~taken), count_for(0.005, n, 1))
    taken[resent] = True
    orders_so_far, items_so_far = defects_so_far
    malformed = pick(rng, np.flatnonzero(free & ~taken & (drop <= period.end) & (orders.flag == 0)),
                     spread_minimum(0.0001, n, MIN_BAD_ORDERS, m, period.months, orders_so_far))
    defect = np.zeros(n, dtype=np.int64)
    defect[malformed] = 1 + (orders_so_far + np.arange(len(malformed))) % (len(ORDER_DEFECTS) - 1)

    updated = orders.utc + rng.integers(60, 5400, n)
    offset = STORE_OFFSET[orders.store]
    frame = pd.DataFrame({"drop": drop, "order_no": orders.first_no + np.arange(n),
                          "customer": orders.customer, "store": orders.store,
                          "order_type": orders.order_type, "utc": orders.utc,
                          "zulu": orders.zulu, "status": status, "flag": orders.flag, "net": orders.net,
                          "vat": orders.vat, "updated": updated, "defect": defect})
    changed = np.concatenate([pending, cancelled])
    changes = frame.iloc[changed].copy()
    changes["drop"] = np.concatenate([settle, _after(rng, drop[cancelled], 1, 10)])
    changes["status"] = np.concatenate([final, np.full(len(cancelled), CANCELLED)])
    changes["updated"] = np.maximum(local_instants(rng, changes["drop"].to_numpy() - 1, offset[changed]),
                                    updated[changed] + 60)
    again = frame.iloc[resent].copy()
    again["drop"] = _after(rng, drop[resent], 1, 10)
    rows = pd.concat([frame, changes, again], ignore_index=True)
    rows = rows[rows["drop"] <= period.end]

    lines = orders.lines
    items = pd.DataFrame({"drop": drop[lines.order], "order_no": orders.first_no + lines.order,
                          "line_no": lines.line_no, "sku": lines.sku, "quantity": lines.quantity,
                          "unit_price": lines.unit_price, "discount": lines.discount, "net": lines.net,
                          "cost": lines.cost, "cost_missing": lines.cost_missing, "defect": 0})
    # Malformed lines: extra lines of malformed orders, so that no valid order is affected.
    n_bad = spread_minimum(0.0001, len(lines.order), MIN_BAD_ITEMS, m, period.months, items_so_far)
    owners = malformed[np.arange(n_bad) % len(malformed)] if len(malformed) else malformed
    first_line = np.searchsorted(lines.order, owners)
    bad = items.iloc[first_line].copy()
    bad["line_no"] = (np.bincount(lines.order, minlength=n)[owners] + 1
                      + np.arange(len(owners)) // max(len(malformed), 1))
    bad["defect"] = 1 + (items_so_far + np.arange(len(bad))) % (len(ITEM_DEFECTS) - 1)
    items = pd.concat([items, bad], ignore_index=True)
    items = items[items["drop"] <= period.end]

    delivered = rows[rows.index < n]
    stats = {
        "orders_delivered": int(len(delivered)),
        "guest_orders": int((delivered["customer"] < 0).sum()),
        "return_orders": int((delivered["order_type"] == 1).sum()),
        "late_orders": int((drop[late] <= period.end).sum()),
        "late_after_freeze": int(len(frozen_late)),
        "status_updates": int((changes["drop"] <= period.end).sum()),
        "orders_resent": int((again["drop"] <= period.end).sum()),
    }
    return rows, items, stats


def render_orders(rows: pd.DataFrame, order_width: int, customer_width: int) -> pa.Array:
    """CSV lines of ``oms_orders.csv`` for ``rows`` (in their order)."""
    store = rows["store"].to_numpy()
    customer = rows["customer"].to_numpy()
    offset = STORE_OFFSET[store]
    zulu = rows["zulu"].to_numpy()
    columns = {
        "order_id": ids("O", rows["order_no"].to_numpy(), order_width),
        "customer_id_nat": ids("C", np.where(customer >= 0, customer + 1, -1), customer_width),
        "store_id": lookup([s.store_id for s in ALL_STORES], store),
        "channel": lookup([s.channel for s in ALL_STORES], store),
        "order_type": lookup(ORDER_TYPES, rows["order_type"].to_numpy()),
        "order_ts": timestamps(rows["utc"].to_numpy(), offset, zulu),
        "final_status": lookup(STATUSES, rows["status"].to_numpy()),
        "order_flag": lookup(FLAGS, rows["flag"].to_numpy()),
        "currency_code": lookup(CURRENCIES, STORE_COUNTRY[store]),
        "net_amount": amounts(rows["net"].to_numpy(), 2),
        "vat_amount": amounts(rows["vat"].to_numpy(), 2),
        "updated_at": timestamps(rows["updated"].to_numpy(), offset, zulu),
    }
    lines = join_lines(list(columns.values()))
    return apply_defects(lines, columns, rows["defect"].to_numpy(), ORDER_DEFECTS, "order_ts")

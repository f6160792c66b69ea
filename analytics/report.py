"""The C1/C2 table (active, new and repeat customers by region and month) as text, read from the mart."""

from __future__ import annotations

import sqlalchemy as sa

from analytics import db

__all__ = ["activity_rows", "activity_table"]


def activity_rows(engine: sa.Engine, months: int = 6) -> list[tuple]:
    with db.transaction(engine) as conn:
        return db.fetch_all(conn, """
            select month_label, region, active_customers, new_customers, repeat_customers, repeat_rate,
                   total_net_amount_aed, is_frozen
              from mart.mart_customer_activity_monthly
             where month_key in (select distinct month_key from mart.mart_customer_activity_monthly
                                  order by month_key desc limit %(n)s)
             order by month_key, case region when 'UAE' then 1 when 'KSA' then 2 else 3 end""", {"n": months})


def activity_table(engine: sa.Engine, months: int = 6) -> str:
    header = ("month", "region", "active", "new", "repeat", "repeat rate", "net AED", "frozen")
    lines = [f"{header[0]:<8} {header[1]:<6} {header[2]:>9} {header[3]:>9} {header[4]:>9} {header[5]:>11} "
             f"{header[6]:>16} {header[7]:>6}"]
    for month, region, active, new, repeat, rate, aed, frozen in activity_rows(engine, months):
        rate_text = f"{rate * 100:.1f}%" if rate is not None else "-"
        lines.append(f"{month:<8} {region:<6} {active:>9,} {new:>9,} {repeat:>9,} {rate_text:>11} {aed:>16,.2f} "
                     f"{'yes' if frozen else 'no':>6}")
    return "\n".join(lines)

"""One month of the generated POS log: invoices and their lines, every scenario drawn with numpy.

``draw_month`` draws the month's customer and guest invoices and their product lines, then adds the
other kinds of line the cleaning rules must recognise (credit notes, postage, discounts, corrections,
fees, bad debt, stock adjustments, lines without description, free items), each in its usual share of
lines, and at least one of each in the first month so that even a small log contains every kind.
Invoices are numbered in time order; lines come out sorted as the file lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.generate.pos_catalogue import (
    CUSTOMER_COUNTRIES,
    EXCLUDED_COUNTRIES,
    INVENTORY_DESCRIPTIONS,
    SPECIAL_LINES,
    PosCatalogue,
)

__all__ = ["KINDS", "MonthLines", "draw_month"]

KINDS = ("sale", "guest_sale", "free_item", "credit_note", "postage", "postage_refund", "carriage",
         "dotcom_postage", "discount", "manual", "cruk", "bank", "amazon", "pads", "samples", "gift", "bad_debt",
         "inventory_adjustment", "mailout", "missing_description")
GUEST_INVOICE_SHARE = 0.16    # guest invoices are longer: with the stock lines, ~23 % of lines lack a customer
CREDIT_LINE_SHARE = 0.02
_QUANTITIES = np.array([1, 2, 3, 4, 6, 8, 10, 12, 24, 48])
_QUANTITY_P = np.array([0.2, 0.14, 0.08, 0.08, 0.14, 0.06, 0.06, 0.14, 0.06, 0.04])
_SPECIAL = {key: i for i, (key, _, _) in enumerate(SPECIAL_LINES)}
_INVOICE_COLUMNS = ("day", "minute", "prefix", "customer", "country")
_LINE_COLUMNS = ("invoice", "stock", "text", "quantity", "mils", "kind")
_COUNTRY = {name: i for i, (name, _) in enumerate(CUSTOMER_COUNTRIES)}
UK = _COUNTRY["United Kingdom"]
_CARRIAGE_COUNTRIES = [_COUNTRY["EIRE"], _COUNTRY["Channel Islands"]]
_EXCLUDED = np.array([_COUNTRY[name] for name in EXCLUDED_COUNTRIES])


@dataclass(frozen=True)
class MonthLines:
    """A month's lines in file order (by invoice number, then line), with their invoice's attributes."""

    day: np.ndarray
    minute: np.ndarray
    prefix: np.ndarray       # 0 invoice, 1 credit note (C), 2 adjustment (A)
    invoice_no: np.ndarray   # running invoice number (0-based over the whole log)
    stock: np.ndarray        # index into the stock-code table
    text: np.ndarray         # index into the description table
    quantity: np.ndarray
    mils: np.ndarray         # unit price in thousandths
    customer: np.ndarray     # customer index, -1 for a guest
    country: np.ndarray
    kind: np.ndarray         # index into KINDS (what the generator meant; not written)
    next_invoice: int

    def scenario_counts(self) -> dict[str, int]:
        counts = np.bincount(self.kind, minlength=len(KINDS))
        return {KINDS[k]: int(c) for k, c in enumerate(counts) if c}


class _Builder:
    """Collects invoices and lines as lists of numpy chunks."""

    def __init__(self) -> None:
        self.invoices: dict[str, list[np.ndarray]] = {k: [] for k in _INVOICE_COLUMNS}
        self.lines: dict[str, list[np.ndarray]] = {k: [] for k in _LINE_COLUMNS}
        self.n_invoices = 0

    def add_invoices(self, day: np.ndarray, minute: np.ndarray, prefix: int, customer: np.ndarray,
                     country: np.ndarray) -> np.ndarray:
        n = len(day)
        for key, values in zip(_INVOICE_COLUMNS, (day, minute, prefix, customer, country), strict=True):
            self.invoices[key].append(np.broadcast_to(np.asarray(values, dtype=np.int64), (n,)))
        self.n_invoices += n
        return np.arange(self.n_invoices - n, self.n_invoices)

    def add_lines(self, invoice: np.ndarray, stock: np.ndarray | int, text: np.ndarray | int,
                  quantity: np.ndarray | int, mils: np.ndarray | int, kind: str | np.ndarray) -> None:
        n = len(invoice)
        code = np.asarray(KINDS.index(kind) if isinstance(kind, str) else kind)
        for key, values in zip(_LINE_COLUMNS, (invoice, stock, text, quantity, mils, code), strict=True):
            self.lines[key].append(np.broadcast_to(np.asarray(values, dtype=np.int64), (n,)))

    def finish(self, first_invoice: int) -> MonthLines:
        inv = {k: np.concatenate(v) for k, v in self.invoices.items()}
        lines = {k: np.concatenate(v) for k, v in self.lines.items()}
        order = np.lexsort((np.arange(self.n_invoices), inv["minute"], inv["day"]))
        number = np.empty(self.n_invoices, dtype=np.int64)
        number[order] = np.arange(self.n_invoices)
        line_number = number[lines["invoice"]]
        file_order = np.lexsort((np.arange(len(line_number)), line_number))
        at = lines["invoice"][file_order]
        return MonthLines(
            day=inv["day"][at], minute=inv["minute"][at], prefix=inv["prefix"][at],
            invoice_no=first_invoice + line_number[file_order], stock=lines["stock"][file_order],
            text=lines["text"][file_order], quantity=lines["quantity"][file_order],
            mils=lines["mils"][file_order], customer=inv["customer"][at], country=inv["country"][at],
            kind=lines["kind"][file_order], next_invoice=first_invoice + self.n_invoices)


def _count(rng: np.random.Generator, mean: float, at_least_one: bool) -> int:
    return max(int(at_least_one), int(rng.poisson(mean)))


def _minutes(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(8 * 60, 20 * 60, n)


def draw_month(rng: np.random.Generator, catalogue: PosCatalogue, customer_country: np.ndarray,
               rate: np.ndarray, days: np.ndarray, *, first_invoice: int, first_month: bool,
               bad_debt: bool) -> MonthLines:
    """All lines of the invoices dated ``days`` (one calendar month, or part of one)."""
    b = _Builder()
    n_sku = len(catalogue.codes)
    special_stock = {key: n_sku + i for key, i in _SPECIAL.items()}
    inventory_text = n_sku + len(SPECIAL_LINES)
    mailout_text = inventory_text + len(INVENTORY_DESCRIPTIONS)
    empty_text = mailout_text + 1

    # Customer and guest invoices with their product lines.
    per_customer = rng.poisson(rate * len(days) / 30.4)
    customer = np.repeat(np.arange(len(rate)), per_customer)
    guests = _count(rng, len(customer) * GUEST_INVOICE_SHARE / (1 - GUEST_INVOICE_SHARE), first_month)
    guest_country = np.where(rng.random(guests) < 0.9, UK, customer_country[rng.integers(0, len(rate), guests)])
    if first_month:  # guests from the excluded "countries", so that every category shows up
        guest_country[: min(guests, len(_EXCLUDED))] = _EXCLUDED[: min(guests, len(_EXCLUDED))]
    inv_customer = np.r_[customer, np.full(guests, -1)]
    inv_country = np.r_[customer_country[customer], guest_country]
    n_inv = len(inv_customer)
    inv_day = rng.choice(days, n_inv)
    sale_inv = b.add_invoices(inv_day, _minutes(rng, n_inv), 0, inv_customer, inv_country)
    is_guest = inv_customer < 0
    n_lines = np.minimum(rng.geometric(np.where(is_guest, 1 / 30, 1 / 17)), 150)
    line_inv = np.repeat(sale_inv, n_lines)
    sku = rng.choice(n_sku, len(line_inv), p=catalogue.popularity)
    mils = catalogue.prices(rng, sku, inv_day[line_inv]) * 10
    kind = np.where(is_guest[line_inv], KINDS.index("guest_sale"), KINDS.index("sale"))
    customer_lines = np.flatnonzero(~is_guest[line_inv])
    free = rng.choice(customer_lines, min(len(customer_lines), _count(rng, 0.002 * len(line_inv), first_month)),
                      replace=False)
    sku[free] = rng.choice(catalogue.free_item_skus, len(free))
    mils[free], kind[free] = 0, KINDS.index("free_item")
    quantity = rng.choice(_QUANTITIES, len(line_inv), p=_QUANTITY_P)
    b.add_lines(line_inv, sku, sku, quantity, mils, kind)
    total = len(line_inv)

    # Postage and carriage on foreign invoices, dotcom postage on guest invoices; some postage refunded.
    foreign = sale_inv[(inv_country != UK) & ~is_guest & (rng.random(n_inv) < 0.7)]
    b.add_lines(foreign, special_stock["post"], special_stock["post"], rng.integers(1, 4, len(foreign)),
                rng.choice([15_000, 18_000, 40_000], len(foreign)), "postage")
    carriage = sale_inv[np.isin(inv_country, _CARRIAGE_COUNTRIES) & (rng.random(n_inv) < 0.3)]
    b.add_lines(carriage, special_stock["carriage"], special_stock["carriage"], 1, 50_000, "carriage")
    dot = sale_inv[is_guest & (rng.random(n_inv) < 0.3)]
    b.add_lines(dot, special_stock["dot"], special_stock["dot"], 1, rng.integers(3_000, 70_000, len(dot)) * 10,
                "dotcom_postage")
    refunded = foreign[rng.random(len(foreign)) < 0.05]
    refund_inv = b.add_invoices(np.minimum(inv_day[refunded] + rng.integers(0, 10, len(refunded)), days[-1]),
                                _minutes(rng, len(refunded)), 1, inv_customer[refunded], inv_country[refunded])
    b.add_lines(refund_inv, special_stock["post"], special_stock["post"], -1, 18_000, "postage_refund")

    # Credit notes: the first lines of some customer invoices come back within two weeks.
    sources = rng.choice(sale_inv[~is_guest], _count(rng, CREDIT_LINE_SHARE * total / 1.8, first_month))
    taken = np.minimum(rng.geometric(0.55, len(sources)), n_lines[sources])
    credit_inv = b.add_invoices(np.minimum(inv_day[sources] + rng.integers(0, 15, len(sources)), days[-1]),
                                _minutes(rng, len(sources)), 1, inv_customer[sources], inv_country[sources])
    first_line = (np.cumsum(n_lines) - n_lines)[sources]
    offset = np.arange(taken.sum()) - np.repeat(np.cumsum(taken) - taken, taken)
    source_line = np.repeat(first_line, taken) + offset
    returned = -(1 + np.floor(rng.random(len(source_line)) * quantity[source_line]).astype(np.int64))
    b.add_lines(np.repeat(credit_inv, taken), sku[source_line], sku[source_line], returned, mils[source_line],
                "credit_note")

    def single_lines(key: str, share: float, credit: float, guest: float, low: int, high: int | None = None) -> None:
        """About ``share`` × lines one-line invoices of a special code; ``credit`` of them credit notes (C…).

        Unit price in thousandths: ``low``, or uniform in ``low..high``; the quantity is 1 (-1 on a credit note).
        """
        n = _count(rng, share * total, first_month)
        who = np.where(rng.random(n) < guest, -1, rng.integers(0, len(rate), n))
        where = np.where(who < 0, UK, customer_country[np.maximum(who, 0)])
        price = np.full(n, low) if high is None else rng.integers(low, high, n)
        prefix = np.where(rng.random(n) < credit, 1, 0)
        for kind_prefix in (0, 1):
            chosen = prefix == kind_prefix
            count = int(chosen.sum())
            if count:
                inv = b.add_invoices(rng.choice(days, count), _minutes(rng, count), kind_prefix, who[chosen],
                                     where[chosen])
                b.add_lines(inv, special_stock[key], special_stock[key], -1 if kind_prefix else 1, price[chosen], key)

    single_lines("discount", 0.0008, 0.8, 0.3, 5_000, 100_000)
    single_lines("manual", 0.0008, 0.5, 0.2, 500, 300_000)
    single_lines("cruk", 0.0001, 1.0, 0.0, 1_000, 50_000)
    single_lines("bank", 0.0001, 0.0, 0.0, 15_000)
    single_lines("amazon", 0.0001, 1.0, 1.0, 1_000_000, 15_000_000)
    single_lines("pads", 0.0001, 0.0, 0.0, 1)
    single_lines("samples", 0.0001, 1.0, 0.0, 1_000, 100_000)
    single_lines("gift", 0.0001, 0.0, 1.0, 20_000)
    if bad_debt:  # the UCI file's three: one booking and two reversals, on one day
        inv = b.add_invoices(np.full(3, days[len(days) // 2]), np.array([14 * 60 + 50] * 3), 2, np.full(3, -1),
                             np.full(3, UK))
        b.add_lines(inv, special_stock["bad_debt"], special_stock["bad_debt"], 1,
                    np.array([11_062_060, -11_062_060, -11_062_060]), "bad_debt")

    # Zero-value stock lines on their own invoices: clerks' wordings, mailouts, no description at all.
    for kind_name, share, texts in (("inventory_adjustment", 0.004, None), ("mailout", 0.0002, mailout_text),
                                    ("missing_description", 0.001, empty_text)):
        n = _count(rng, share * total, first_month)
        inv = b.add_invoices(rng.choice(days, n), _minutes(rng, n), 0, np.full(n, -1), np.full(n, UK))
        text = inventory_text + rng.integers(0, len(INVENTORY_DESCRIPTIONS), n) if texts is None else texts
        moved = np.where(rng.random(n) < 0.8, -1, 1) * rng.integers(1, 200, n)
        b.add_lines(inv, rng.integers(0, n_sku, n), text, moved, 0, kind_name)
    return b.finish(first_invoice)

"""Synthetic landing data: daily OMS, CRM and reference extracts of a UAE + KSA retailer.

``generate_landing(out, customers, months, seed)`` writes ``<out>/<YYYY-MM-DD>/<file>.csv`` drops that
follow the extract contract (``analytics.contract``) and contain every situation the loader must handle:
guests, flags, returns, late and post-freeze arrivals, status updates, re-sent rows and files, merges,
corrected FX rates and a few malformed rows. Modules:

- ``period``: months, drop days, day-number arithmetic;
- ``reference``: stores, cities, names, catalogue; ``reference_files``: stores and FX files;
- ``customers`` / ``crm``: the customer base and its CRM rows;
- ``orders`` / ``items`` / ``delivery``: a month's orders, their lines, and which drop carries each row;
- ``render`` / ``writer`` / ``landing``: CSV text, files on disk, and the month-by-month driver;
- ``pos_catalogue`` / ``pos_month`` / ``pos_log``: the other input kind, an online-retail POS log
  (``pos_transactions.csv`` per day; ``analytics generate --format pos-log``).
"""

from analytics.generate.landing import generate_landing

__all__ = ["generate_landing"]

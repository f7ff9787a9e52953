"""Dates and times as people type them, in English and Chinese. "Today" and "now" are always given.
The range the books keep, dates and times each have their module; this one gathers what others import."""

from core.date_range import EARLIEST, LATEST, in_range, out_of_range
from core.typed_dates import DATE_FORMS, MONTHS, WEEKDAYS, parse_date
from core.typed_times import TIME_FORMS, parse_instant, parse_when

__all__ = ["DATE_FORMS", "EARLIEST", "LATEST", "MONTHS", "TIME_FORMS", "WEEKDAYS", "in_range", "out_of_range",
           "parse_date", "parse_instant", "parse_when"]

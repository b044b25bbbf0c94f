"""A child's health plan: vaccines and checkups.

    schedule items, products, intervals, rules       -> schedule
    schedule data files and overlays (validated)     -> schedule_files
    products, intervals, catch-up, special groups    -> schedule_rule_files
    small checks the file parsers share              -> schedule_checks
    due, latest, earliest dates, status, advice      -> plan
    recording doses (by code or product)             -> records
    admission check of a booked child                -> admission
"""

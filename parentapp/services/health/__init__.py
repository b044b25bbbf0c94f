"""A child's health plan: vaccines and checkups.

    schedule items, ages, due dates of a child   -> schedule
    schedule data files (versioned, validated)   -> schedule_files
    due and latest dates, skip rules, status     -> plan
    recording doses and checkups                 -> records
    admission check of a booked child            -> admission
"""

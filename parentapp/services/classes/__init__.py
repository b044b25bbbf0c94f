"""Parenting classes: organisers publish them, families take part.

    publish, edit, cancel (who may organise)     -> organizing
    enrolment deadline, seats, waitlist move-up  -> enrollment
    class places per family (a cap)              -> enrollment.enroll
    seat counts, waitlist positions, distance    -> queries
    the public list as Core rows (hot path)      -> queries.list_class_rows
    a family's entry in one class (my_enrollment) -> my_entries
    the organiser's roster and attendance        -> roster
    seats given up when a child or account goes  -> release
"""

"""Parenting classes: organisers publish them, families take part.

    publish, edit, cancel (who may organise)     -> organizing
    enrolment deadline, seats, waitlist move-up  -> enrollment
    class places per family (a cap)              -> enrollment.enroll
    seat counts, waitlist positions, distance    -> queries
    the organiser's roster and attendance        -> roster
"""

"""Booking care places, and everything that moves a booked place.

    places left / can this slot be booked now    -> availability.availability,
                                                    availability.remaining_places
    booking window (book_ahead_days, notice)     -> availability.window_blocker
    slots bookable together (hourly 1-10, ...)   -> rules.check_together
    age range of an offering on the slot's date  -> rules.fits_age, rules.check_age
    bookings a new birth date would not fit      -> age_review.bookings_outside_ages
    no overbooking: locks and counters of places -> places (lock order), bookings._take_places
    one booking request, all places or none      -> bookings.book_slots
    Idempotency-Key replay of a booking          -> bookings.book_once (common.idempotency)
    future booked slots per child (a cap)        -> bookings.booked_slots_of (common.caps)
    live waitlist entries per child (a cap)      -> waitlist.join_waitlist
    cancellation cut-off (cancel_cutoff_hours)   -> cancellation.cancel_deadline
    cancelling by the family / by the nursery    -> cancellation.cancel_booking,
                                                    cancellation.cancel_slots_by_nursery
    a revoked filing cancels future bookings     -> cancellation.close_on_revocation
                                                    (on signals.filing_revoked)
    joining, leaving and positions on a waitlist -> waitlist
    waitlist offer hold and expiry               -> waitlist_offers.offer_deadline,
                                                    waitlist_offers.expire_due_offers
    messages to families about their bookings    -> notices
    a deleted account's booking notes go         -> erasure.erase_family_notes
    the nursery's day: check-in, check-out       -> roster
    check-out names someone on the pickup list   -> roster.mark_attendance (family.pickup)
    the child's people told of check-in and out  -> attendance_notices
"""

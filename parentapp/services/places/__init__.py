"""Monthly places by application (入托申请): rounds, applications, the match, offers.

    a round, its held places, its applicants      -> rounds
    places held out of the month's slots          -> holds (slots.round_held)
    apply, change, withdraw, list (the family)    -> applications
    priorities, the draw, allocating a month      -> allocation (job allocate-places)
    family-proposing deferred acceptance          -> matching (pure, no database)
    accept (the month booked), decline, pass on   -> offers
    reminders, expiry, the end of a month         -> expiry (job expire-place-offers)
    what families are told at each step           -> notices
    demand by township (the regulator)            -> demand
"""

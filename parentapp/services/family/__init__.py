"""A child's people (家人共管): guardians, carers and viewers of one child.

    may this person see / act for / manage the child -> access.child_for (the one check)
    the children a person has, for listings          -> access.children_of, access.roles_of
    a child's row lock (bookings, caps, people)      -> access.lock_child
    the first guardian (township for statistics)     -> access.first_guardian_ids
    who a notice about a child reaches               -> fanout.recipients, fanout.notify_people
    ... or the account, for a seat without a child   -> fanout.audience, fanout.notify_about
    a person stops hearing about a child             -> fanout.withdraw_for
    who booked (``booked_by``)                       -> booked_by.booked_by_map
    invite someone by code, withdraw, accept         -> invites
    invite codes: alphabet, length, normalising      -> invites.new_code, invites.normalise_code
    the child's people, roles, own reminders, leave  -> people
    people / guardian caps, last guardian            -> people.check_room, people.remove_person
    a link ends: access, pending messages, invites   -> links.end_link
    the pickup list, who may collect at check-out    -> pickup
"""

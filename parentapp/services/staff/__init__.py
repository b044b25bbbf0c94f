"""Nursery staff: who works at a nursery, who is on duty, and the carer ratio.

    a nursery's own staff member (else NotFound)  -> employment.owned_staff
    hiring, listing, changing, leaving            -> employment
    one active nursery per phone                  -> employment.hire_staff
    check-in and check-out (who is on duty)       -> duty
    children and carers at a moment, carers owed  -> ratio (one rule, 1:3, 1:5, 1:7)
"""

"""Nurseries: what operators publish and what parents find.

    operators' own nurseries: create, change     -> operator_nurseries
    filing state machine, approve / reject       -> filings
    who may see which nursery                    -> access
    unified social credit code check character   -> credit_code
    offerings and their default terms            -> offerings
    slot generation from opening hours, listing  -> slots
    the public listing as Core rows (hot path)   -> slots.list_slot_rows
    changing capacity, opening and closing slots -> slot_changes
    licensed-places cap across overlapping slots -> licensed_places
    family care points: at most 5 places         -> licensed_places.kind_places_problem
    parent search: near a point, nearest first   -> search, geo (distance, bounding box)
    the public page as Core rows (hot path)      -> search.public_nursery_rows
    what search shows of offers (vacancy, price) -> vacancies
    importing the commission's filed register    -> register_import
"""

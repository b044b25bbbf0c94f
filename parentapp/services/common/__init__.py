"""Pieces every feature shares.

    the one transaction helper (rolls_back)      -> transactions
    Idempotency-Key claims and replays           -> idempotency
    the list envelope of the contract            -> pagination
    INSERT ... ON CONFLICT for either database   -> dialect_insert
    caps of the Limits table (409 limit_reached) -> caps.check_cap
"""

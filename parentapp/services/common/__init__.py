"""Pieces every feature shares.

    the one transaction helper (rolls_back)      -> transactions
    Idempotency-Key claims and replays           -> idempotency
    the list envelope of the contract            -> pagination
    INSERT ... ON CONFLICT for either database   -> dialect_insert
    the audit log's entries (caller commits)     -> audit.record
"""

"""What the county health commission watches.

    places per 1000 people, inclusive share, ... -> policy_figures
    checkups up to date, guidance figures        -> health_figures
    notification delivery figures                -> delivery
    townships and their populations              -> townships
    the statistics table as CSV                  -> csv_export
"""

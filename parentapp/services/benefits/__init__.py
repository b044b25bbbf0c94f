"""Benefits a family is entitled to, shown to every person of the child.

    the childcare subsidy rule (data with its source)  -> childcare_subsidy.subsidy_rule
    a child's eligible months and amounts              -> childcare_subsidy.entitlement
    ... for a person of the child (the API's answer)   -> childcare_subsidy.child_subsidy
    the yearly in-app reminder to apply                -> subsidy_reminders.plan_subsidy_reminders

The backend never asks for an ID number: families apply through the official channels
that ``apply`` names.
"""

"""Reminders and messages: planned as rows, read in the inbox, sent through WeChat.

    the inbox: write a message, read, mark read  -> inbox
    when vaccine/checkup reminders fall          -> health_timing
    planning health reminders incrementally      -> health_planning
    keeping pending reminders true to the plan   -> health_sync
    booking and class reminders                  -> event_planning
    quiet hours (21:00-08:00 Asia/Shanghai)      -> quiet_hours
    the words of reminders, template data        -> messages
    sending due rows at most once each           -> dispatch
    what a WeChat answer means, retries          -> dispatch_outcomes
    one-time subscription grants                 -> subscriptions
    messages deleted with a child or an account  -> erasure
    messages kept for a year, then deleted       -> retention.purge_old_notifications
"""

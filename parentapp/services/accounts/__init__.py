"""Accounts: who a person is and what goes when they leave.

    WeChat sign-in (code, openid, parent)        -> users.wechat_login
    staff password sign-in, password rules       -> users.password_login, users.validate_password
    a password change ends the other sessions    -> users.change_password
    phone binding (masked in logs)               -> users.bind_phone, users.mask_phone
    bearer tokens: issue, check, revoke, expiry  -> tokens
    a parent's children (another's is NotFound)  -> children
    a new birth date fits records and bookings   -> birth_date.check_new_birth_date
    children per guardian (a cap)                -> children.add_child
    what deleting a child or an account undoes   -> cleanup
"""

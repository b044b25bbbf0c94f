"""Assertions many API tests share."""


def assert_error(response, status: int, code: str) -> dict:
    """The response is the contract's error body with this status and code; returns it."""
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code
    assert set(error) == {"code", "message", "details"}
    return error

from core.plural import days, plural


def test_one_is_singular_everything_else_plural():
    assert [days(n) for n in (0, 1, 2, -1, 1500)] == ["0 days", "1 day", "2 days", "-1 day", "1,500 days"]
    assert plural(1, "copy", "copies") == "1 copy" and plural(3, "copy", "copies") == "3 copies"

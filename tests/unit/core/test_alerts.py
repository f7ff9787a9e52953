import re
from decimal import Decimal
from pathlib import Path

from core.alerts import AlertThresholds, outlier_reasons, parse_thresholds, percentile, worsening_reasons

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readmes_thresholds_file_is_the_built_in_defaults():
    example = re.search(r"```toml\n(\[alerts\].*?)```", README.read_text(), re.S).group(1)
    assert parse_thresholds(example) == AlertThresholds()


def test_percentile_is_nearest_rank():
    assert percentile([Decimal(v) for v in range(1, 21)], 95) == 19
    assert percentile([Decimal(5)], 95) == 5


def test_an_order_is_odd_only_against_enough_history():
    limits = AlertThresholds()
    history = [Decimal(100)] * 5
    assert outlier_reasons(history, [2] * 5, Decimal(301), 2, limits)[0].startswith("amount 301.00 is 3.0×")
    assert outlier_reasons(history, [2] * 5, Decimal(300), 2, limits) == []
    assert outlier_reasons(history[:4], [2] * 4, Decimal(10_000), 2, limits) == []
    assert outlier_reasons(history, [2] * 5, Decimal(100), 7, limits)[0].startswith("quantity 7")


def test_worsening_is_a_lower_grade_or_ten_days_later():
    limits = AlertThresholds()
    assert worsening_reasons("B", "C", 2.0, 3.0, limits) == ["risk grade B → C"]
    assert worsening_reasons("B", "B", 2.0, 12.0, limits) == ["expected lateness +2 → +12 days"]
    assert worsening_reasons("C", "B", 12.0, 2.0, limits) == []

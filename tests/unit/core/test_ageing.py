from core.ageing import BUCKET_LABELS, BUCKETS


def test_labels_cover_every_bucket_in_order():
    assert list(BUCKET_LABELS) == list(BUCKETS)
    assert BUCKET_LABELS["1-30"] == "1–30"

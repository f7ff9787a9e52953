"""Pure order-to-cash rules: money, ageing, credit, metrics, dunning. No I/O, no imports of ours."""

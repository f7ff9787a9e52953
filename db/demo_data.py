"""The demo company: people, customers and products that docs, tests and evals refer to by name."""

from __future__ import annotations

from decimal import Decimal as D

# (slack id, name, role, timezone)
MEMBERS = [
    ("U0SALES1", "Sam Sales", "sales", "America/New_York"),
    ("U0SALES2", "Sara Lin", "sales", "Asia/Shanghai"),
    ("U0SALES3", "Tom Ortiz", "sales", "Europe/London"),
    ("U0COLL1", "Colin Cole", "collector", "America/New_York"),
    ("U0COLL2", "Wei Chen", "collector", "Asia/Shanghai"),
    ("U0MGR1", "Maya Patel", "manager", "America/New_York"),
    ("U0ADMIN1", "Ada Admin", "admin", "UTC"),
]

# (code, name, owner rep, collector, credit limit, terms days, payer profile)
# Profiles drive the generated history: good pays early, ok pays around the due date, slow pays late.
CUSTOMERS = [
    ("ACME", "Acme Corp", "U0SALES1", "U0COLL1", D("60000"), 30, "good"),
    ("GLOBEX", "Globex", "U0SALES2", "U0COLL2", D("40000"), 30, "slow"),
    ("INITECH", "Initech", "U0SALES1", "U0COLL1", D("20000"), 30, "ok"),
    ("UMBRELLA", "Umbrella Corp", "U0SALES3", "U0COLL1", D("80000"), 45, "ok"),
    ("UMBHEALTH", "Umbrella Health", "U0SALES2", "U0COLL2", D("25000"), 30, "good"),
    ("STARK", "Stark Industries", "U0SALES1", "U0COLL1", D("150000"), 60, "good"),
    ("WAYNE", "Wayne Enterprises", "U0SALES3", "U0COLL2", D("120000"), 30, "good"),
    ("HOOLI", "Hooli", "U0SALES2", "U0COLL2", D("30000"), 30, "slow"),
    ("SOYLENT", "Soylent Foods", "U0SALES3", "U0COLL1", D("15000"), 15, "bad"),
    ("TYRELL", "Tyrell Corp", "U0SALES1", "U0COLL2", D("50000"), 30, "ok"),
    ("CYBERDYNE", "Cyberdyne Systems", "U0SALES2", "U0COLL1", D("45000"), 30, "ok"),
    ("WONKA", "Wonka Industries", "U0SALES3", "U0COLL2", D("20000"), 14, "good"),
    ("OSCORP", "Oscorp", "U0SALES1", "U0COLL1", D("35000"), 30, "slow"),
    ("VANDELAY", "Vandelay Industries", "U0SALES2", "U0COLL2", D("10000"), 30, "ok"),
    ("PIEDPIPER", "Pied Piper", "U0SALES3", "U0COLL1", D("12000"), 30, "good"),
    ("DUNDER", "Dunder Mifflin", "U0SALES1", "U0COLL2", D("18000"), 30, "ok"),
    ("BLUTH", "Bluth Company", "U0SALES2", "U0COLL1", D("8000"), 30, "bad"),
    ("NAKATOMI", "Nakatomi Trading", "U0SALES3", "U0COLL2", D("70000"), 45, "good"),
    ("MASSIVE", "Massive Dynamic", "U0SALES1", "U0COLL1", D("90000"), 30, "ok"),
    ("ZHONGHUA", "中华贸易 Zhonghua Trading", "U0SALES2", "U0COLL2", D("50000"), 30, "ok"),
]

# (sku, name, price, cost, stock on hand)
PRODUCTS = [
    ("WIDGET-1", "Widget, standard", D("12.50"), D("7.10"), 800),
    ("WIDGET-2", "Widget, heavy duty", D("18.00"), D("10.40"), 400),
    ("WIDGET-3", "Widget, stainless", D("24.00"), D("15.20"), 250),
    ("GADGET-1", "Gadget, basic", D("35.00"), D("21.00"), 150),
    ("GADGET-2", "Gadget, pro", D("49.00"), D("29.50"), 300),
    ("GADGET-3", "Gadget, enterprise", D("129.00"), D("80.00"), 60),
    ("GIZMO-S", "Gizmo, small", D("8.75"), D("4.90"), 1200),
    ("GIZMO-L", "Gizmo, large", D("15.25"), D("9.10"), 600),
    ("SPROCKET-8", "Sprocket 8 mm", D("2.40"), D("1.10"), 5000),
    ("SPROCKET-9", "Sprocket 9 mm", D("2.60"), D("1.25"), 0),
    ("BOLT-M6", "Bolt M6, box of 100", D("6.20"), D("3.00"), 2000),
    ("BOLT-M8", "Bolt M8, box of 100", D("7.90"), D("3.80"), 1800),
    ("NUT-M6", "Nut M6, box of 100", D("3.10"), D("1.40"), 2500),
    ("NUT-M8", "Nut M8, box of 100", D("3.90"), D("1.75"), 2200),
    ("BEARING-20", "Bearing 20 mm", D("11.00"), D("6.30"), 700),
    ("BEARING-35", "Bearing 35 mm", D("16.50"), D("9.80"), 450),
    ("GEAR-A", "Gear type A", D("27.00"), D("16.00"), 320),
    ("GEAR-B", "Gear type B", D("33.00"), D("19.50"), 280),
    ("MOTOR-100", "Motor 100 W", D("89.00"), D("55.00"), 90),
    ("MOTOR-250", "Motor 250 W", D("159.00"), D("101.00"), 40),
    ("SENSOR-T", "Temperature sensor", D("22.00"), D("11.00"), 500),
    ("SENSOR-P", "Pressure sensor", D("38.00"), D("20.00"), 260),
    ("CABLE-2M", "Cable 2 m", D("4.50"), D("1.90"), 3000),
    ("CABLE-5M", "Cable 5 m", D("7.50"), D("3.40"), 1500),
    ("PANEL-S", "Control panel, small", D("240.00"), D("150.00"), 25),
    ("PANEL-L", "Control panel, large", D("480.00"), D("310.00"), 12),
    ("VALVE-1", "Valve 1 inch", D("19.00"), D("10.50"), 380),
    ("VALVE-2", "Valve 2 inch", D("29.00"), D("16.80"), 210),
    ("PUMP-X", "Pump X", D("310.00"), D("205.00"), 18),
    ("KIT-START", "Starter kit", D("99.00"), D("58.00"), 75),
]

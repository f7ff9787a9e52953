"""Documents a customer receives (invoice, receipt, statement), as data and as PDF."""

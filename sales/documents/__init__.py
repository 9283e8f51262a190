"""Printed documents (WeasyPrint): the customer's purchase-record sheet, the packing list of
consumables (legacy regime) and the refund receipt, each in A4 and on an 80 mm receipt roll."""

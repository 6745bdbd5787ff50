"""Personal data: keys and encryption at rest, masking, the audit of who saw what, data requests."""

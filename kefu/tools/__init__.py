"""Tooling around the product, not part of it: evaluation against labelled sets, the import of
public data for measurement, the knowledge base's command line. The core never imports these
(an import-linter contract checks it)."""

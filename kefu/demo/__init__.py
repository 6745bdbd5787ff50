"""The demo shop's data as domain objects (promotion rules, knowledge entries), loaded by the
seeding of a new database and by tests. The core never imports these."""

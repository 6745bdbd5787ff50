"""The service desk: agents, priority queues, routing, tickets with SLA, CSAT and agent assist."""

"""Background jobs (RQ). Queue names are defined here and nowhere else."""

QUEUE_GENERATION = "generation"
QUEUE_DEFAULT = "default"
QUEUES = [QUEUE_GENERATION, QUEUE_DEFAULT]

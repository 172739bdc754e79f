"""RQ worker entry point: `python worker.py` (the same as `flask worker`)."""

from app import create_app
from app.tasks.worker import run_worker

if __name__ == "__main__":
    run_worker(create_app())

"""Task-queue names and workflow-id formats: the one place they are spelled."""

TASK_QUEUE = "liandong"


def case_workflow_id(number: str) -> str:
    """Returns the workflow id of a case, e.g. ``case-2026-11-000123``."""
    return f"case-{number}"


def operation_workflow_id(operation_id: str) -> str:
    """Returns the workflow id of a joint operation."""
    return f"operation-{operation_id}"

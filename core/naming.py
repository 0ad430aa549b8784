"""Task-queue names and workflow-id formats: the one place they are spelled."""

TASK_QUEUE = "liandong"
# The one long-running mailer (outbox delivery and the supervisors' daily digest).
MAILER_WORKFLOW_ID = "mailer"


def case_workflow_id(number: str) -> str:
    """Returns the workflow id of a case, e.g. ``case-2026-11-000123``."""
    return f"case-{number}"


def operation_workflow_id(operation_id: str) -> str:
    """Returns the workflow id of a joint operation."""
    return f"operation-{operation_id}"


def operation_department_workflow_id(operation_id: str, department: str) -> str:
    """Returns the workflow id of one department's part in a joint operation."""
    return f"{operation_workflow_id(operation_id)}-{department}"


# The Temporal Schedule that publishes the monthly report (月通报) on its first working day.
PUBLICATION_SCHEDULE_ID = "evaluation-publication"


def publication_workflow_id(month: str, version: int = 1) -> str:
    """Returns the workflow id of a month's publication: ``evaluation-publish-2026-11`` for the
    scheduled one, ``evaluation-publish-2026-11-v2`` for a republication."""
    base = f"evaluation-publish-{month}"
    return base if version == 1 else f"{base}-v{version}"

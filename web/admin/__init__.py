"""Administration pages: mail outbox, dev mailbox, Open311 keys, department heads."""

"""What citizens and outside systems use: case tracking and Open311."""

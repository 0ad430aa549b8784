"""Reference data: departments, grids, categories, routing and the working calendar."""

"""The evaluation (综合评价): figures per unit and period, what each counts, the cases behind."""

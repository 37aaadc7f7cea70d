"""Using the saved model to decide (issue 20): one case (`case`), a grid of conditions (`grid`), the best inputs
(`best`), each result kept under the run folder's whatif/ (`records`). These are the model's answers, not causal
effects."""

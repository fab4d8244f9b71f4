"""The training loop shared by every task: objectives, optimisers and schedules, checkpoints,
history."""

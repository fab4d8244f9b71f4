"""What every pipeline shares: errors, atomic writes, hashing, params, the stage runner, fetch,
device, labels, metrics and the model folder. Imports no task package."""

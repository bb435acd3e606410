print("implicit-diff: not yet written")

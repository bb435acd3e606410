// Tests arrive with this layer's issue.

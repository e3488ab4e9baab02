# unit tests for val

# unit tests for region

# unit tests for idcard

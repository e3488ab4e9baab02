# integration tests (shell, TAP)

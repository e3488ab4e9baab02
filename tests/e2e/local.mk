# end-to-end tests through tmux (shell, TAP)

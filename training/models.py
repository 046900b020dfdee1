"""training: built by its own issue; the app is registered so that the layout and import contracts hold from day one."""

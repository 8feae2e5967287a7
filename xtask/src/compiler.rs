//! Running the PBS compiler as a child process: no shell, its own process
//! group, output captured line by line, killed with everything it started on
//! timeout or Ctrl-C.

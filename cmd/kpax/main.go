// Command kpax is the operators' CLI: validate the YAML, plan a stack offline.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Exit codes: scripts and CI branch on them.
const (
	exitOK      = 0
	exitInvalid = 1 // the input files are invalid, or a plan failed
	exitUsage   = 2 // the command line is wrong
)

// exitError carries the exit code a failure should end the process with.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the CLI with args and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	cmd := newRootCmd(stdout, stderr)
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(stderr, ee.err)
		}
		return ee.code
	}
	// Cobra's own errors are about the command line: unknown flags,
	// commands, missing arguments.
	fmt.Fprintln(stderr, "kpax:", err)
	return exitUsage
}

package main

import (
	"io"
	"os"
	"time"
)

// env is everything a command may touch outside its arguments: the standard
// streams, whether they are terminals, the environment variables, the config
// directory and the clock. main builds it from the process; tests build
// their own, so that every command runs in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer

	// stdinTTY and stderrTTY say whether the streams are terminals:
	// prompts need a terminal on stdin, progress is drawn only on a
	// terminal stderr.
	stdinTTY  bool
	stderrTTY bool
	// stdoutTTY says whether results go to a terminal (agenda then draws
	// the day as a timeline).
	stdoutTTY bool

	getenv func(string) string
	// configDir returns the directory for runflow's files (the sandbox's
	// data, profiles); normally os.UserConfigDir()/runflow.
	configDir func() (string, error)
	now       func() time.Time
}

func newProcessEnv() *env {
	return &env{
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		stdinTTY:  isTerminal(os.Stdin),
		stderrTTY: isTerminal(os.Stderr),
		stdoutTTY: isTerminal(os.Stdout),
		getenv:    os.Getenv,
		configDir: defaultConfigDir,
		now:       time.Now,
	}
}

// defaultConfigDir is os.UserConfigDir()/runflow ($XDG_CONFIG_HOME/runflow
// or ~/.config/runflow on Linux).
func defaultConfigDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return dir + string(os.PathSeparator) + "runflow", nil
}

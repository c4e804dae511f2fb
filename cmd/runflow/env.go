package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/runflow/runflow/auth"
)

// env is everything a command may touch outside its arguments: the standard
// streams, whether they are terminals, the environment variables, the config
// directory, the clock and the ways out to a sign-in (authHooks). main
// builds it from the process; tests build their own, so that every command
// runs in-process, and tests in parallel do not share any of it.
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

	authHooks
}

// authHooks are how a sign-in reaches outside the process: the browser,
// the identity platform, the waits of a device code sign-in, and the
// profile a run signs in with. The zero value is safe for tests: no
// browser is opened (the sign-in URL is only printed), and the rest is
// the real thing.
type authHooks struct {
	// openBrowser opens a sign-in URL; nil only prints it. The process
	// opens the system browser.
	openBrowser func(url string) error
	// deviceSleep waits between the polls of a device code sign-in; nil
	// waits on a real timer.
	deviceSleep func(ctx context.Context, d time.Duration) error
	// deviceCodeShown, when set, is told of each device code shown (tests
	// approve it there).
	deviceCodeShown func(auth.DeviceCodePrompt)
	// authHTTPClient talks to the identity platform; nil is the default
	// client.
	authHTTPClient *http.Client
	// profileBackend, when set, replaces authProfileBackend: how a run
	// signs in with a saved profile.
	profileBackend func(ctx context.Context, e *env, sel profileSelection, scopes []string) (profileRun, error)
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
		authHooks: authHooks{openBrowser: auth.SystemBrowser},
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

package bot

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/templates"
)

// LoadTemplates returns the built-in templates plus the *.yaml files of
// dir (when not empty), sorted by id: the templates of `runflow serve` and
// `runflow mcp`. A file of dir with a built-in's id replaces it (logged on
// log, when not nil); two files of dir with one id are an error, and so is
// a dir that is not a directory or has no *.yaml file.
func LoadTemplates(dir string, log *slog.Logger) ([]*engine.Template, error) {
	builtins, err := templates.Load()
	if err != nil {
		return nil, fmt.Errorf("loading the built-in templates: %w", err)
	}
	byID := map[string]*engine.Template{}
	for _, t := range builtins {
		byID[t.ID()] = t
	}
	if dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("--templates %s: not a directory", dir)
		}
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("--templates %s: no *.yaml file in it", dir)
		}
		own := map[string]string{}
		var problems []error
		for _, f := range files {
			t, err := engine.LoadFile(f)
			if err != nil {
				problems = append(problems, err)
				continue
			}
			if prev, dup := own[t.ID()]; dup {
				problems = append(problems, fmt.Errorf("%s: id %q is already used by %s", f, t.ID(), prev))
				continue
			}
			own[t.ID()] = f
			if _, builtin := byID[t.ID()]; builtin && log != nil {
				log.Info("bot: a template file replaces the built-in of the same id", "id", t.ID(), "file", f)
			}
			byID[t.ID()] = t
		}
		if len(problems) > 0 {
			return nil, errors.Join(problems...)
		}
	}
	all := make([]*engine.Template, 0, len(byID))
	for _, t := range byID {
		all = append(all, t)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID() < all[j].ID() })
	return all, nil
}

// MinStateKeyBytes is the shortest state key accepted.
const MinStateKeyBytes = 32

// ReadStateKey reads the key that signs states and sign-in links and seals
// grants, from spec "env:VAR" (the variable's value) or "file:PATH" (a
// file only its owner can read), of at least MinStateKeyBytes. getenv is
// os.Getenv in a real process.
func ReadStateKey(spec string, getenv func(string) string) ([]byte, error) {
	return ReadSecret("--state-key", spec, getenv)
}

// ReadSecret reads a secret of at least MinStateKeyBytes from spec
// "env:VAR" or "file:PATH" (a file only its owner can read); flag names
// the setting in errors.
func ReadSecret(flag, spec string, getenv func(string) string) ([]byte, error) {
	switch {
	case strings.HasPrefix(spec, "env:"):
		name := strings.TrimPrefix(spec, "env:")
		v := getenv(name)
		if v == "" {
			return nil, fmt.Errorf("%s env:%s: the variable is empty or unset", flag, name)
		}
		if len(v) < MinStateKeyBytes {
			return nil, fmt.Errorf("%s env:%s: %d bytes, at least %d random bytes are needed (e.g. openssl rand -hex 32)", flag, name, len(v), MinStateKeyBytes)
		}
		return []byte(v), nil
	case strings.HasPrefix(spec, "file:"):
		path := strings.TrimPrefix(spec, "file:")
		fi, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", flag, err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("%s file:%s: other users can read it (mode %v); chmod 600 it", flag, path, fi.Mode().Perm())
		}
		if fi.Size() > 4096 {
			return nil, fmt.Errorf("%s file:%s: larger than 4096 bytes, not a key file", flag, path)
		}
		key, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", flag, err)
		}
		if len(key) < MinStateKeyBytes {
			return nil, fmt.Errorf("%s file:%s: %d bytes, at least %d random bytes are needed (e.g. head -c 32 /dev/urandom > FILE)", flag, path, len(key), MinStateKeyBytes)
		}
		return key, nil
	}
	return nil, fmt.Errorf("%s %q: want env:VAR or file:PATH", flag, spec)
}

// KeyFile returns the key kept in path, creating it (32 random bytes,
// mode 0600) when it does not exist: the default key of a single machine.
func KeyFile(path string) ([]byte, error) {
	key, err := ReadStateKey("file:"+path, nil)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return ReadStateKey("file:"+path, nil) // another process made it first
	}
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}

// EngineStateKey derives the key signing the engine's saved states
// (engine.Config.StateKey) from the host's key: HMAC-SHA256(key, label).
// One secret serves every use, and a signature made for one use (a
// sign-in link) is never valid for another (a session state).
func EngineStateKey(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("runflow engine state"))
	return m.Sum(nil)
}

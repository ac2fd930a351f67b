package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/fieldwork"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
)

// session is an opened, locked home and the device service on it;
// release it when the command ends.
type session struct {
	home    *store.Home
	dev     *fieldwork.Service
	release func()
}

// openHome opens ENQUETE_HOME and takes its lock, so a second enquete on the
// same home is refused instead of corrupting the first.
func (e *env) openHome() (*session, error) {
	dir := e.getenv("ENQUETE_HOME")
	if dir == "" {
		d, err := store.DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	home, err := store.Open(dir)
	if err != nil {
		return nil, err
	}
	if testWorkFactor != 0 {
		home.SetPassphraseWorkFactor(testWorkFactor)
	}
	release, err := home.Lock()
	if err != nil {
		return nil, err
	}
	dev := fieldwork.New(home, fieldwork.Options{Proxy: e.proxyURL()})
	return &session{home: home, dev: dev, release: func() { dev.Forget(); release() }}, nil
}

// proxyURL is the SOCKS5 proxy of every sync: --proxy, else ENQUETE_PROXY
// (e.g. Tor: socks5h://127.0.0.1:9050).
func (e *env) proxyURL() string {
	if e.proxy != "" {
		return e.proxy
	}
	return e.getenv("ENQUETE_PROXY")
}

// testWorkFactor, when not 0, is the scrypt work factor (log2 N) of the
// device key this process writes. Only the tests set it, from inside the
// test binary: the enquete command always uses crypto's default.
var testWorkFactor int

// withHome runs fn with ENQUETE_HOME opened and locked for the command.
func (e *env) withHome(fn func(dev *fieldwork.Service) error) error {
	s, err := e.openHome()
	if err != nil {
		return err
	}
	defer s.release()
	return fn(s.dev)
}

// unlock opens the device key with the passphrase, creating the device on a
// fresh home (the passphrase is then asked twice on a terminal).
func (e *env) unlock(dev *fieldwork.Service) error {
	if dev.Unlocked() {
		return nil
	}
	if !dev.HasDevice() {
		if err := dev.DeviceMissing(); err != nil {
			return err
		}
		pass, err := e.passphrase(true)
		if err != nil {
			return err
		}
		return dev.CreateDevice(pass)
	}
	tries := 1
	if e.passphraseFile == "" {
		tries = passphraseTries
	}
	for try := 1; ; try++ {
		pass, err := e.passphrase(false)
		if err != nil {
			return err
		}
		err = dev.Unlock(pass)
		if err == nil {
			if weak := dev.PassphraseNotice(); weak != nil {
				e.printError(weak) // told, not refused: the device opens
			}
			return nil
		}
		if try == tries || !isWrongPassphrase(err) {
			return err
		}
		fmt.Fprintln(e.stderr, "enquete: "+locales.T(e.lang, "cli.passphrase_retry", try+1, tries))
	}
}

// passphraseTries is how many times a passphrase typed on a terminal is
// asked before the command fails; one from a file is tried once.
const passphraseTries = 3

func isWrongPassphrase(err error) bool {
	var le *locales.Error
	return errors.As(err, &le) && le.Key == crypto.KeyWrongPassphrase
}

// passphrase reads the device passphrase from --passphrase-file or
// ENQUETE_PASSPHRASE_FILE, else asks on the terminal (twice when confirm).
// It is never taken from an argument.
func (e *env) passphrase(confirm bool) (string, error) {
	return e.askPassphrase(passphraseSource{file: e.passphraseFile, prompt: "cli.passphrase_prompt",
		noTerminal: "cli.no_terminal", hint: "cli.hint.passphrase_file"}, confirm)
}

// passphraseSource says where a passphrase comes from: a file, else the
// terminal with a prompt; hint says how to give the file.
type passphraseSource struct {
	file       string
	prompt     string // locales key
	args       []any  // the prompt's and noTerminal's arguments
	noTerminal string // locales key: there is no terminal to ask on
	hint       string // locales key: how to give the file instead
}

// askPassphrase reads a passphrase from src's file, else asks on the
// terminal (twice when confirm, checked against the passphrase rule).
func (e *env) askPassphrase(src passphraseSource, confirm bool) (string, error) {
	if src.file != "" {
		data, err := os.ReadFile(src.file)
		if err != nil {
			return "", locales.Errorf("cli.passphrase_file", src.file, err).Wrap(err)
		}
		data = bytes.TrimSuffix(data, []byte("\n"))
		data = bytes.TrimSuffix(data, []byte("\r"))
		if len(data) == 0 {
			return "", locales.Errorf("cli.passphrase_empty", src.file)
		}
		return string(data), nil
	}
	tty, closeTTY, err := openTerminal()
	if err != nil {
		return "", locales.Errorf(src.noTerminal, src.args...).Hint(src.hint)
	}
	defer closeTTY()
	ask := func(key string, args ...any) (string, error) {
		fmt.Fprint(tty, locales.T(e.lang, key, args...)+" ")
		b, err := term.ReadPassword(int(tty.Fd()))
		fmt.Fprintln(tty)
		return string(b), err
	}
	first, err := ask(src.prompt, src.args...)
	if err != nil {
		return "", locales.Errorf(src.noTerminal, src.args...).Hint(src.hint)
	}
	if first == "" {
		return "", locales.Errorf("cli.passphrase_empty_typed")
	}
	if confirm {
		if err := fieldwork.CheckPassphrase(first); err != nil {
			return "", err
		}
		second, err := ask("cli.passphrase_again")
		if err != nil {
			return "", locales.Errorf(src.noTerminal, src.args...).Hint(src.hint)
		}
		if first != second {
			return "", locales.Errorf("cli.passphrase_mismatch").Hint("cli.hint.passphrase_retry")
		}
	}
	return first, nil
}

// openTerminal returns the controlling terminal for a prompt.
func openTerminal() (*os.File, func(), error) {
	if term.IsTerminal(int(os.Stdin.Fd())) {
		return os.Stdin, func() {}, nil
	}
	f, err := os.OpenFile(ttyPath, os.O_RDWR, 0)
	if err != nil {
		return nil, nil, err
	}
	if !term.IsTerminal(int(f.Fd())) {
		f.Close()
		return nil, nil, os.ErrNotExist
	}
	return f, func() { f.Close() }, nil
}

// stdinIsTerminal reports whether standard input is a terminal, as the
// interview app needs.
func stdinIsTerminal() bool { return term.IsTerminal(int(os.Stdin.Fd())) }

// confirm asks question on the terminal and succeeds only on a yes (the
// interface language's word, or "y"); with no terminal it fails with a
// hint to pass --yes.
func (e *env) confirm(question string) error {
	tty, closeTTY, err := openTerminal()
	if err != nil {
		return locales.Errorf("cli.confirm_no_terminal").Hint("cli.hint.yes")
	}
	defer closeTTY()
	fmt.Fprint(tty, question+" ["+locales.T(e.lang, "cli.yes_short")+"/N] ")
	line, err := bufio.NewReader(tty).ReadString('\n')
	if err != nil && line == "" {
		return locales.Errorf("cli.confirm_no_terminal").Hint("cli.hint.yes")
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	if answer == "y" || answer == "yes" || answer == strings.ToLower(locales.T(e.lang, "cli.yes_short")) ||
		answer == strings.ToLower(locales.T(e.lang, "cli.yes_word")) {
		return nil
	}
	return locales.Errorf("cli.not_confirmed")
}

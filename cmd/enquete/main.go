// Command enquete is Enquête's command-line interface: the interview app for
// fieldworkers, the tools to write and check questionnaires, the archive
// server, and the lab's export and verification. It only parses flags and
// wires the packages together; see ../../ARCHITECTURE.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/tui"
)

// command is one subcommand: its name path ("project add"), what it does and
// how it runs.
type command struct {
	name    string
	summary string // a locales key
	usage   string // the synopsis, not translated (command names and flags)
	run     func(env *env, args []string) error
}

// env is what every command gets: the streams, the environment and the
// options common to all commands.
type env struct {
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	lang           string // interface language
	langFlag       string // --lang as given, also the form language
	passphraseFile string
	json           bool
	plain          bool     // --plain: the line-based interface instead of the screens
	proxy          string   // --proxy: the SOCKS5 proxy of every sync (else ENQUETE_PROXY)
	cmd            *command // the command running, for its help
	probe          *flags   // set by parse when probing: see probeFlags
	probing        bool
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one command line and returns the process exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	args = e.takeGlobalFlags(args)
	e.lang = locales.Detect(e.langFlag)
	if e.passphraseFile == "" {
		e.passphraseFile = os.Getenv("ENQUETE_PASSPHRASE_FILE")
	}
	err := e.dispatch(args)
	if err == nil {
		return 0
	}
	if errors.Is(err, errHelpShown) || errors.Is(err, tui.ErrPanic) {
		// A panic key leaves at once and says nothing: whoever looks at
		// the screen next must not learn that anything happened.
		return 0
	}
	e.printError(err)
	return 1
}

// errHelpShown stops a command after -h printed its usage.
var errHelpShown = errors.New("help shown")

// printError writes err as age does: "enquete: message", then hints.
func (e *env) printError(err error) {
	msg, hints := locales.Localize(err, e.lang)
	fmt.Fprintf(e.stderr, "enquete: %s\n", oneLine(msg))
	for _, h := range hints {
		fmt.Fprintf(e.stderr, "enquete: %s: %s\n", locales.T(e.lang, "cli.hint"), oneLine(h))
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// takeGlobalFlags removes the options that may stand anywhere on the line
// (--lang, --passphrase-file, --proxy, --json, --plain) and returns the rest.
func (e *env) takeGlobalFlags(args []string) []string {
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || a == "-" {
			rest = append(rest, a)
			continue
		}
		switch name {
		case "lang", "passphrase-file", "proxy":
			if !hasValue && i+1 < len(args) {
				i++
				value = args[i]
			}
			switch name {
			case "lang":
				e.langFlag = value
			case "proxy":
				e.proxy = value
			default:
				e.passphraseFile = value
			}
		case "json":
			e.json = true
		case "plain":
			e.plain = true
		default:
			rest = append(rest, a)
		}
	}
	return rest
}

// commands lists every subcommand, longest names first where they share a
// prefix, so "project add" wins over "project".
func commands() []command {
	return []command{
		{"interview", "cli.cmd.interview", "enquete interview [PROJECT] [--answers FILE]", cmdInterview},
		{"form check", "cli.cmd.form_check", "enquete form check [--anonymous] FORM", cmdFormCheck},
		{"form preview", "cli.cmd.form_preview", "enquete form preview FORM", cmdFormPreview},
		{"form expr", "cli.cmd.form_expr", "enquete form expr [--form FORM] [--answers FILE] EXPR", cmdFormExpr},
		{"keys new", "cli.cmd.keys_new", "enquete keys new [--x25519 | --signing NAME] -o FILE", cmdKeysNew},
		{"keys split", "cli.cmd.keys_split", "enquete keys split -i IDENTITY_FILE -k K (--custodian R... | -C FILE) -o DIR", cmdKeysSplit},
		{"keys join", "cli.cmd.keys_join", "enquete keys join [-i CUSTODIAN_IDENTITY...] -o FILE SHARE...", cmdKeysJoin},
		{"passphrase change", "cli.cmd.passphrase_change", "enquete passphrase change [--new-passphrase-file FILE]", cmdPassphraseChange},
		{"project new", "cli.cmd.project_new", "enquete project new --form FORM --recipient R... [-R FILE] --archive URL [--archive-key KEY] [--custodian R...] [-C FILE] [--anonymous] [--keep-media-metadata] [--sent-days N] [--id ID] [--sign-key FILE] [--rotation FILE...] -o FILE", cmdProjectNew},
		{"project add", "cli.cmd.project_add", "enquete project add FILE [--enroll CODE]", cmdProjectAdd},
		{"project list", "cli.cmd.project_list", "enquete project list [--json]", cmdProjectList},
		{"project rotate", "cli.cmd.project_rotate", "enquete project rotate --new-key FILE [--old-key FILE] -o FILE", cmdProjectRotate},
		{"drafts rm", "cli.cmd.drafts_rm", "enquete drafts rm ID [--yes]", cmdDraftsRm},
		{"drafts", "cli.cmd.drafts", "enquete drafts [--json]", cmdDrafts},
		{"sent", "cli.cmd.sent", "enquete sent [PROJECT] [--json]", cmdSent},
		{"outbox", "cli.cmd.outbox", "enquete outbox [--json]", cmdOutbox},
		{"receipts", "cli.cmd.receipts", "enquete receipts [-o FILE]", cmdReceipts},
		{"sync", "cli.cmd.sync", syncUsage, cmdSync},
		{"testify", "cli.cmd.testify", testifyUsage, cmdTestify},
		{"archive serve", "cli.cmd.archive_serve", archiveServeUsage, cmdArchiveServe},
		{"archive copy", "cli.cmd.archive_copy", archiveCopyUsage, cmdArchiveCopy},
		{"archive stats", "cli.cmd.archive_stats", archiveStatsUsage, cmdArchiveStats},
		{"archive import", "cli.cmd.archive_import", archiveImportUsage, cmdArchiveImport},
		{"import odk", "cli.cmd.import_odk", importODKUsage, cmdImportODK},
		{"archive key", "cli.cmd.archive_key", "enquete archive key (--dir DIR | --archive DIR)", cmdArchiveKey},
		{"devices add", "cli.cmd.devices_add", "enquete devices add --archive DIR --name NAME [--sign-key FILE]", cmdDevicesAdd},
		{"devices list", "cli.cmd.devices_list", "enquete devices list --archive DIR [--json]", cmdDevicesList},
		{"devices revoke", "cli.cmd.devices_revoke", "enquete devices revoke --archive DIR [--sign-key FILE] NAME", cmdDevicesRevoke},
		{"export", "cli.cmd.export", exportUsage, cmdExport},
		{"report", "cli.cmd.report", reportUsage, cmdReport},
		{"review", "cli.cmd.review", reviewUsage, cmdReview},
		{"verify", "cli.cmd.verify", verifyUsage, cmdVerify},
		{"help", "cli.cmd.help", "enquete help [COMMAND]", cmdHelp},
		{"completion", "cli.cmd.completion", "enquete completion bash|zsh|fish|powershell", cmdCompletion},
	}
}

// dispatch finds the command named by the first words of args and runs it.
func (e *env) dispatch(args []string) error {
	if len(args) == 0 {
		return cmdHome(e, nil)
	}
	if args[0] == "-h" || args[0] == "--help" {
		e.printUsage(e.stdout)
		return nil
	}
	if args[0] == "version" || args[0] == "--version" {
		printVersion(e.stdout)
		return nil
	}
	if c, rest := findCommand(args); c != nil {
		e.cmd = c
		return c.run(e, rest)
	}
	return e.notACommand(args)
}

// printUsage lists the commands with their translated summaries.
func (e *env) printUsage(w io.Writer) {
	fmt.Fprintln(w, locales.T(e.lang, "cli.usage_title"))
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  enquete\n      %s\n", locales.T(e.lang, "cli.cmd.home"))
	for _, c := range commands() {
		fmt.Fprintf(w, "  %s\n      %s\n", c.usage, locales.T(e.lang, c.summary))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, locales.T(e.lang, "cli.usage_env"))
}

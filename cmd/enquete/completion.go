package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/enquete-field/enquete/locales"
)

// shells lists the shells `enquete completion` writes a script for.
var shells = []string{"bash", "zsh", "fish", "powershell"}

// globalValueOptions are the options of every command that take a value.
var globalValueOptions = []string{"--lang", "--passphrase-file", "--proxy"}

// globalOptions are every option any command accepts.
var globalOptions = []string{"--help", "--lang", "--passphrase-file", "--proxy", "--json", "--plain"}

// cmdCompletion prints the completion script of a shell, made from the
// command table.
func cmdCompletion(e *env, args []string) error {
	f := e.newFlags("enquete completion bash|zsh|fish|powershell")
	shell, err := f.parseOne(args, "SHELL")
	if err != nil {
		return err
	}
	tree := e.completionTree()
	switch shell {
	case "bash":
		writeBash(e.stdout, tree)
	case "zsh":
		writeZsh(e.stdout, tree)
	case "fish":
		writeFish(e.stdout, tree)
	case "powershell", "pwsh":
		writePowerShell(e.stdout, tree)
	default:
		err := locales.Errorf("cli.unknown_shell", shell)
		if guess := closest(shell, shells); guess != "" {
			err.Hint("cli.hint.did_you_mean", "enquete completion "+guess)
		}
		return err.Hint("cli.hint.usage", f.usage)
	}
	return nil
}

// completionNode is one place on a command line: the command (or group)
// named so far, the words that may come next and the options it takes.
type completionNode struct {
	path  string // "", "form", "form check"
	words []described
	opts  []described
}

// described is a word with its one-line explanation.
type described struct{ word, help string }

// completionTree lists the nodes of every command and group, the empty
// path (nothing typed yet) first.
func (e *env) completionTree() []completionNode {
	cmds := commands()
	paths := []string{""}
	for _, c := range cmds {
		words := strings.Fields(c.name)
		for i := 1; i <= len(words); i++ {
			if p := strings.Join(words[:i], " "); !slices.Contains(paths, p) {
				paths = append(paths, p)
			}
		}
	}
	var nodes []completionNode
	for _, p := range paths {
		n := completionNode{path: p, words: e.nextWords(p)}
		if c, rest := findCommand(strings.Fields(p)); c != nil && len(rest) == 0 {
			for _, o := range optionsOf(c, e.probeFlags(c)) {
				n.opts = append(n.opts, described{dashed(o.name), e.explain(o)})
			}
		}
		nodes = append(nodes, n)
	}
	return nodes
}

// nextWords are the words that may follow path: the next word of every
// command below it, the shells after "completion", the commands after "help".
func (e *env) nextWords(path string) []described {
	switch path {
	case "completion":
		var out []described
		for _, s := range shells {
			out = append(out, described{s, ""})
		}
		return out
	case "help":
		return e.nextWords("")
	}
	var out []described
	for _, c := range commands() {
		rest, ok := strings.CutPrefix(c.name, path+" ")
		if path == "" {
			rest, ok = c.name, true
		}
		if !ok {
			continue
		}
		next, _, _ := strings.Cut(rest, " ")
		if slices.ContainsFunc(out, func(d described) bool { return d.word == next }) {
			continue
		}
		full := strings.TrimSpace(path + " " + next)
		help := ""
		if c, rest := findCommand(strings.Fields(full)); c != nil && len(rest) == 0 {
			help = locales.T(e.lang, c.summary)
		} else {
			var names []string
			for _, s := range subcommands(full) {
				names = append(names, strings.TrimPrefix(s.name, full+" "))
			}
			help = strings.Join(names, ", ")
		}
		out = append(out, described{next, help})
	}
	return out
}

// wordsOf joins the words of ds with spaces.
func wordsOf(ds []described) string {
	var w []string
	for _, d := range ds {
		w = append(w, d.word)
	}
	return strings.Join(w, " ")
}

// pathPattern is every path of the tree as alternatives of a shell case
// pattern: 'form'|'form check'|….
func pathPattern(tree []completionNode, sep string) string {
	var alts []string
	for _, n := range tree[1:] {
		alts = append(alts, "'"+n.path+"'")
	}
	return strings.Join(alts, sep)
}

// shellQuote quotes s for a POSIX shell, zsh and fish (single quotes).
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeBash writes the bash script: it finds the command typed so far,
// then offers its subcommands, its options after "-", else file names.
func writeBash(w io.Writer, tree []completionNode) {
	fmt.Fprint(w, `# bash completion for enquete, made by "enquete completion bash".
# Load it with: source <(enquete completion bash)
_enquete() {
	local cur=${COMP_WORDS[COMP_CWORD]} cmd="" w i skip=0 words="" opts=""
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((skip)); then
			skip=0
			continue
		fi
		case $w in
		`+strings.Join(globalValueOptions, " | ")+`)
			skip=1
			continue
			;;
		-*) continue ;;
		esac
		case "${cmd:+$cmd }$w" in
		`+pathPattern(tree, " | ")+`) cmd="${cmd:+$cmd }$w" ;;
		esac
	done
	case $cmd in
`)
	for _, n := range tree {
		fmt.Fprintf(w, "\t'%s')\n\t\twords=%s\n\t\topts=%s\n\t\t;;\n", n.path, shellQuote(wordsOf(n.words)), shellQuote(wordsOf(n.opts)))
	}
	fmt.Fprint(w, `	esac
	opts="$opts `+strings.Join(globalOptions, " ")+`"
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	elif [[ -n $words ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}
complete -o default -F _enquete enquete
`)
}

// zshEntry is "word:help" for _describe, the colons of word escaped.
func zshEntry(d described) string {
	return shellQuote(strings.ReplaceAll(d.word, ":", `\:`) + ":" + d.help)
}

// writeZsh writes the zsh script, with each word's explanation.
func writeZsh(w io.Writer, tree []completionNode) {
	fmt.Fprint(w, `#compdef enquete
# zsh completion for enquete, made by "enquete completion zsh".
# Load it with: source <(enquete completion zsh)   (after compinit)
# or save it as _enquete in a folder of $fpath.
_enquete() {
	local cmd="" w i skip=0
	local -a subs opts
	for ((i = 2; i < CURRENT; i++)); do
		w=${words[i]}
		if ((skip)); then
			skip=0
			continue
		fi
		case $w in
		(`+strings.Join(globalValueOptions, "|")+`)
			skip=1
			continue
			;;
		(-*) continue ;;
		esac
		case "${cmd:+$cmd }$w" in
		(`+pathPattern(tree, "|")+`) cmd="${cmd:+$cmd }$w" ;;
		esac
	done
	case $cmd in
`)
	for _, n := range tree {
		fmt.Fprintf(w, "\t('%s')\n", n.path)
		for _, d := range n.words {
			fmt.Fprintf(w, "\t\tsubs+=(%s)\n", zshEntry(d))
		}
		for _, d := range n.opts {
			fmt.Fprintf(w, "\t\topts+=(%s)\n", zshEntry(d))
		}
		fmt.Fprint(w, "\t\t;;\n")
	}
	fmt.Fprint(w, `	esac
	opts+=(`+strings.Join(globalOptions, " ")+`)
	if [[ ${words[CURRENT]} == -* ]]; then
		_describe -t options option opts
	elif ((${#subs})); then
		_describe -t commands command subs
	else
		_files
	fi
}
if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then
	_enquete "$@"
else
	compdef _enquete enquete
fi
`)
}

// writeFish writes the fish script: one complete line per word and option.
func writeFish(w io.Writer, tree []completionNode) {
	var paths []string
	for _, n := range tree[1:] {
		paths = append(paths, shellQuote(n.path))
	}
	fmt.Fprint(w, `# fish completion for enquete, made by "enquete completion fish".
# Load it with: enquete completion fish | source
function __enquete_command
	set -l cmd ""
	set -l skip 0
	for w in (commandline -opc)[2..-1]
		if test $skip = 1
			set skip 0
			continue
		end
		switch $w
			case `+strings.Join(globalValueOptions, " ")+`
				set skip 1
				continue
			case '-*'
				continue
		end
		set -l next (string trim -- "$cmd $w")
		if contains -- $next `+strings.Join(paths, " ")+`
			set cmd $next
		end
	end
	echo $cmd
end
function __enquete_is
	set -l cmd (__enquete_command)
	test "$cmd" = "$argv[1]"
end
`)
	for _, g := range globalOptions {
		fmt.Fprintf(w, "complete -c enquete -l %s\n", strings.TrimPrefix(g, "--"))
	}
	for _, n := range tree {
		cond := shellQuote("__enquete_is " + shellQuote(n.path))
		for _, d := range n.words {
			fmt.Fprintf(w, "complete -c enquete -n %s -f -a %s -d %s\n", cond, shellQuote(d.word), shellQuote(d.help))
		}
		for _, d := range n.opts {
			flag := "-l " + strings.TrimPrefix(d.word, "--")
			if !strings.HasPrefix(d.word, "--") {
				flag = "-s " + strings.TrimPrefix(d.word, "-")
			}
			fmt.Fprintf(w, "complete -c enquete -n %s %s -d %s\n", cond, flag, shellQuote(d.help))
		}
	}
}

// psQuote quotes s for PowerShell (single quotes, doubled inside).
func psQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// psList is a PowerShell array of the words of ds.
func psList(ds []described) string {
	var q []string
	for _, d := range ds {
		q = append(q, psQuote(d.word))
	}
	return "@(" + strings.Join(q, ", ") + ")"
}

// writePowerShell writes the PowerShell script (Register-ArgumentCompleter).
func writePowerShell(w io.Writer, tree []completionNode) {
	fmt.Fprint(w, `# PowerShell completion for enquete, made by "enquete completion powershell".
# Load it with: enquete completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName enquete, enquete.exe -ScriptBlock {
	param($wordToComplete, $commandAst, $cursorPosition)
	$words = @{
`)
	for _, n := range tree {
		fmt.Fprintf(w, "\t\t%s = %s\n", psQuote(n.path), psList(n.words))
	}
	fmt.Fprint(w, "\t}\n\t$options = @{\n")
	for _, n := range tree {
		fmt.Fprintf(w, "\t\t%s = %s\n", psQuote(n.path), psList(n.opts))
	}
	var globals []described
	for _, g := range globalOptions {
		globals = append(globals, described{g, ""})
	}
	var values []described
	for _, g := range globalValueOptions {
		values = append(values, described{g, ""})
	}
	fmt.Fprint(w, `	}
	$globals = `+psList(globals)+`
	$cmd = ''
	$skip = $false
	foreach ($element in ($commandAst.CommandElements | Select-Object -Skip 1)) {
		if ($element.Extent.EndOffset -ge $cursorPosition) { break }
		$w = $element.ToString()
		if ($skip) { $skip = $false; continue }
		if ($w -in `+strings.TrimSuffix(strings.TrimPrefix(psList(values), "@("), ")")+`) { $skip = $true; continue }
		if ($w.StartsWith('-')) { continue }
		$next = "$cmd $w".Trim()
		if ($words.ContainsKey($next)) { $cmd = $next }
	}
	if ($wordToComplete.StartsWith('-')) {
		$candidates = $options[$cmd] + $globals
	} else {
		$candidates = $words[$cmd]
	}
	$candidates | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
		[System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
	}
}
`)
}

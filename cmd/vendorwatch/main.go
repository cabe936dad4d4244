// Command vendorwatch tracks third-party vendor risk and contract
// compliance: it serves the REST API and the web console, migrates the
// database, manages API keys and console users, verifies the audit log and
// proves its events, writes reports, runs the compliance scan, imports
// spreadsheets and seeds demo portfolios. "vendorwatch help"
// lists the commands (the README's Commands block is that list), and
// "vendorwatch COMMAND --help" explains one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // deadlines may be computed in any IANA zone, even in minimal images
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "vendorwatch:", err)
		}
		os.Exit(1)
	}
}

// commandHelp is one command's entry in the help: what follows
// "vendorwatch" on its usage line, and what it does.
type commandHelp struct {
	name     string
	synopsis string
	summary  string
}

// commands lists every command of the binary, in the order the help shows
// them. The README's Commands block is commandList() (TestREADMECommands).
var commands = []commandHelp{
	{"serve", "serve [--addr :8080] [--db URL] [--demo]",
		"run the API server (applies pending migrations first); prints the API's address and, on the first start, an admin key"},
	{"migrate", "migrate [--db URL]", "apply the database migrations and print the schema version"},
	{"apikey", "apikey create --name NAME --role ROLE [--expires-in 720h] [--db URL]",
		"create an API key (admin, vendor_manager, legal, executive or auditor); the key is the last line"},
	{"user", "user create --email EMAIL --name NAME --role ROLE [--password-stdin] | disable --email EMAIL | enable --email EMAIL | reset-password --email EMAIL [--db URL]",
		"console accounts for people: create prints a one-time password (the last line) unless --password-stdin gives one; " +
			"disable signs the user out at once; reset-password prints a new one-time password"},
	{"audit", "audit verify [--checkpoint FILE ...] [--public-key KEY] [--db URL] | prove EVENT_ID [--public-key KEY] [--db URL] | check-proof --public-key KEY [FILE]",
		"the tamper-evident audit log: verify checks it against its signed checkpoints (exit status 1 when broken), " +
			"prove prints an event's inclusion proof, check-proof checks one with the public key alone"},
	{"webhook", "webhook rotate-key [--db URL]",
		"seal every webhook secret with a new key (VW_WEBHOOK_KEY_FILE; the old key is kept as FILE.old)"},
	{"report", "report [--kind audit|executive] [--out FILE.xlsx] [--vendor ID ...] [--tier T] [--owner EMAIL] [--as-of TIME] [--db URL]",
		"write the audit workbook or the executive report to a file"},
	{"scan", "scan [--db URL]", "run the compliance scan once and print the findings opened, still open and resolved, by rule"},
	{"import", "import FILE --kind vendors|data_handling|contracts|attestations [--dry-run] [--json] [--db URL]",
		"import an .xlsx or CSV file, all rows or none; exit status 1 when a row has an error"},
	{"dora", "dora check|export --reference-date DATE [--entity LEI] [--level IND|CON] [--json] [--out DIR] [--force] [--db URL]",
		"the DORA register of information: check lists what a supervisor's portal would reject (exit status 1 while errors remain); " +
			"export writes the xBRL-CSV report package to DIR, refused while the check finds errors unless --force"},
	{"seed", "seed --vendors N [--seed S] [--providers P] [--as-of T] [--db URL]",
		"fill an empty database with a deterministic synthetic portfolio (demos and benchmarks)"},
	{"healthcheck", "healthcheck [--url URL] [--addr :8080]",
		"ask a running server whether it is ready (GET /readyz); exit status 1 when not (the container's health check)"},
	{"help", "help [COMMAND]", "show this list, or a command's flags (as COMMAND --help does)"},
}

// commandList is every command's usage line and summary.
func commandList() string {
	var b strings.Builder
	for _, c := range commands {
		fmt.Fprintf(&b, "vendorwatch %s\n    %s\n", c.synopsis, c.summary)
	}
	return b.String()
}

// usage is the binary's help.
func usage() string {
	return "usage: vendorwatch <command> [flags]\n\ncommands:\n" + commandList() + `
Run "vendorwatch <command> --help" for a command's flags. Configuration comes
from VW_ environment variables (see README); flags override them.
`
}

// isHelpFlag reports whether arg asks for help.
func isHelpFlag(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// helpRequested reports whether args ask for help before any "--".
func helpRequested(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if isHelpFlag(a) {
			return true
		}
	}
	return false
}

// run is the whole program; tests call it directly. A command's --help
// (or -h) prints its help on stdout and succeeds.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, getenv, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch {
	case isHelpFlag(cmd) || cmd == "help" && len(rest) == 0:
		fmt.Fprint(stdout, usage())
		return nil
	case cmd == "help":
		cmd, rest = rest[0], []string{"--help"}
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	switch cmd {
	case "serve":
		return cmdServe(ctx, cfg, rest, logger, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, cfg, rest, logger, stdout, stderr)
	case "apikey":
		return cmdAPIKey(ctx, cfg, rest, logger, stdout, stderr)
	case "user":
		return cmdUser(ctx, cfg, rest, logger, stdout, stderr)
	case "audit":
		return cmdAudit(ctx, cfg, rest, logger, stdout, stderr)
	case "webhook":
		return cmdWebhook(ctx, cfg, rest, logger, stdout, stderr)
	case "report":
		return cmdReport(ctx, cfg, rest, logger, stdout, stderr)
	case "scan":
		return cmdScan(ctx, cfg, rest, logger, stdout, stderr)
	case "import":
		return cmdImport(ctx, cfg, rest, logger, stdout, stderr)
	case "dora":
		return cmdDora(ctx, cfg, rest, logger, stdout, stderr)
	case "seed":
		return cmdSeed(ctx, cfg, rest, logger, stdout, stderr)
	case "healthcheck":
		return cmdHealthcheck(ctx, cfg, rest, logger, stdout, stderr)
	}
	fmt.Fprint(stderr, usage())
	return fmt.Errorf("unknown command %q", cmd)
}

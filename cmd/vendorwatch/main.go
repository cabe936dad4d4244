// Command vendorwatch tracks third-party vendor risk and contract
// compliance: it serves the REST API, migrates the database, and manages
// API keys.
//
//	vendorwatch serve [--addr :8080] [--db URL] [--demo]
//	vendorwatch migrate [--db URL]
//	vendorwatch apikey create --name NAME --role ROLE [--expires-in 720h] [--db URL]
//	vendorwatch audit verify [--checkpoint FILE ...] [--public-key KEY] [--db URL]
//	vendorwatch audit prove EVENT_ID [--db URL]
//	vendorwatch audit check-proof --public-key KEY [FILE]
//	vendorwatch report [--kind audit|executive] [--out FILE.xlsx] [--vendor ID ...] [--as-of TIME]
//	vendorwatch scan [--db URL]
//	vendorwatch import FILE --kind vendors [--dry-run] [--json] [--db URL]
//	vendorwatch seed --vendors N [--seed S] [--as-of T] [--db URL]
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

const usage = `usage: vendorwatch <command> [flags]

commands:
  serve     run the API server (migrates the database first)
  migrate   apply database migrations and report the schema version
  apikey    create an API key: apikey create --name NAME --role ROLE
  audit     the tamper-evident audit log: audit verify [--checkpoint FILE],
            audit prove EVENT_ID, audit check-proof --public-key KEY FILE
  report    write the audit workbook or the executive report: report --kind audit --out FILE.xlsx
  scan      run the compliance scan once and print what it found
  import    import a spreadsheet: import FILE --kind vendors [--dry-run]
  seed      fill an empty database with a synthetic portfolio: seed --vendors N

Run "vendorwatch <command> -h" for a command's flags. Configuration comes
from VW_ environment variables (see README); flags override them.
`

// run is the whole program; tests call it directly.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, cfg, rest, logger, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, cfg, rest, logger, stdout, stderr)
	case "apikey":
		return cmdAPIKey(ctx, cfg, rest, logger, stdout, stderr)
	case "audit":
		return cmdAudit(ctx, cfg, rest, logger, stdout, stderr)
	case "report":
		return cmdReport(ctx, cfg, rest, logger, stdout, stderr)
	case "scan":
		return cmdScan(ctx, cfg, rest, logger, stdout, stderr)
	case "import":
		return cmdImport(ctx, cfg, rest, logger, stdout, stderr)
	case "seed":
		return cmdSeed(ctx, cfg, rest, logger, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

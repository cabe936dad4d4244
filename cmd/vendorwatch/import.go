package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/importing"
	"github.com/vendorwatch/vendorwatch/reports/spreadsheet"
)

const importUsage = "usage: vendorwatch import FILE --kind vendors|data_handling|contracts|attestations|dependencies [--dry-run] [--json] [--db URL]"

// cmdImport imports an .xlsx or .csv file, with the same validation and
// per-row report as POST /api/v1/imports. Without --dry-run it commits:
// all rows in one transaction, or none when any row has an error.
func cmdImport(ctx context.Context, cfg config, args []string, logger *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlags("import", args, stdout, stderr)
	cfg.dbFlag(fs)
	kind := fs.String("kind", "", "what the file holds: vendors, data_handling, contracts, attestations or dependencies (required)")
	dryRun := fs.Bool("dry-run", false, "validate every row and report, without writing")
	asJSON := fs.Bool("json", false, "print the report as JSON (as the API returns it)")
	// FILE may come before or after the flags.
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	if file == "" || !importing.ImportKind(*kind).Valid() {
		return errors.New(importUsage)
	}
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	if limit := cfg.importMaxBytes(); st.Size() > limit {
		return fmt.Errorf("%s is %s, over the import limit of %s (VW_IMPORT_MAX_BYTES); split it", file,
			domain.Count(st.Size(), "byte", "bytes"), domain.Count(limit, "byte", "bytes"))
	}
	sum, err := fileSHA256(file)
	if err != nil {
		return err
	}
	src, _, err := spreadsheet.OpenFile(file, cfg.importMaxBytes())
	if err != nil {
		return describe(err)
	}
	defer src.Close()
	a, err := openApp(ctx, cfg, logger, true)
	if err != nil {
		return err
	}
	defer a.Close()
	mode := importing.ImportCommit
	if *dryRun {
		mode = importing.ImportDryRun
	}
	req := importing.ImportRequest{Kind: importing.ImportKind(*kind), Mode: mode, FileName: file, FileSHA256: sum,
		FileSize: st.Size(), Source: src}
	tty := importTTY(stderr)
	if tty {
		req.Progress = func(n int) { fmt.Fprintf(stderr, "\r%s checked...", domain.Count(n, "row", "rows")) }
	}
	ctx = domain.WithActor(ctx, domain.Actor{ID: "cli", Name: "command line", Role: domain.RoleAdmin})
	res, err := a.svc.Imports.Run(ctx, req)
	if tty {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		return describe(err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		printImport(stdout, res)
	}
	if res.Summary.Error > 0 {
		return errors.New(domain.Count(res.Summary.Error, "row has", "rows have") + " errors")
	}
	return nil
}

// printImport writes the per-row report as text.
func printImport(w io.Writer, res importing.ImportResult) {
	for _, c := range res.Columns {
		fmt.Fprintf(w, "column %q -> %s\n", c.Column, c.Field)
	}
	for _, c := range res.UnknownColumns {
		fmt.Fprintf(w, "column %q is not a known column: ignored\n", c)
	}
	for _, r := range res.Rows {
		switch {
		case r.Status == importing.RowIgnored:
			fmt.Fprintf(w, "row %d: ignored (the template's example row)\n", r.Row)
		case len(r.Errors) == 0:
			fmt.Fprintf(w, "row %d: %s %s\n", r.Row, r.Status, r.Key)
		}
		for _, e := range r.Errors {
			if e.Letter != "" {
				fmt.Fprintf(w, "row %d, column %s %q (%s): error: %s\n", r.Row, e.Letter, e.Header, e.Column, e.Message)
			} else {
				fmt.Fprintf(w, "row %d, field %s: error: %s\n", r.Row, e.Column, e.Message)
			}
		}
	}
	if res.ID != "" {
		fmt.Fprintf(w, "import %s (file sha256 %s)\n", res.ID, res.FileSHA256)
	}
	fmt.Fprintln(w, res.Message)
}

// describe spells out file-level validation errors.
func describe(err error) error {
	var fe domain.FieldErrors
	if errors.As(err, &fe) {
		parts := make([]string, len(fe))
		for i, e := range fe {
			parts[i] = e.Field + " " + e.Message
		}
		return errors.New(strings.Join(parts, "; "))
	}
	return err
}

func importTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func fileSHA256(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// importMaxBytes is the import file limit (VW_IMPORT_MAX_BYTES).
func (c config) importMaxBytes() int64 {
	if c.ImportMaxBytes > 0 {
		return c.ImportMaxBytes
	}
	return importing.DefaultMaxImportBytes
}

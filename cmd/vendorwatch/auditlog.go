package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/auditlog"
	"github.com/vendorwatch/vendorwatch/jobs"
	"github.com/vendorwatch/vendorwatch/repository"
)

// The sealer's interval must leave it several rounds in its one-minute
// slot (jobs.AuditSealSchedule).
const (
	minSealInterval = 100 * time.Millisecond
	maxSealInterval = 20 * time.Second
)

// auditKeyFile is the file of the audit log's signing key.
func (c config) auditKeyFile() string {
	if c.AuditKeyFile != "" {
		return c.AuditKeyFile
	}
	return filepath.Join(c.DataDir, "audit-log.key")
}

// auditCheckpointFile is the append-only file of published checkpoints.
func (c config) auditCheckpointFile() string {
	if c.AuditCheckpointFile != "" {
		return c.AuditCheckpointFile
	}
	return filepath.Join(c.DataDir, "audit-checkpoints.jsonl")
}

// loadAuditKeys reads the audit log's signing key from cfg's key file.
func loadAuditKeys(cfg config, logger *slog.Logger) (auditlog.Keys, error) {
	path := cfg.auditKeyFile()
	raw, err := os.ReadFile(path)
	if err != nil {
		return auditlog.Keys{}, fmt.Errorf("VW_AUDIT_KEY_FILE: %w", err)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		logger.Warn("the audit log signing key file is readable by others than its owner", "file", path,
			"mode", st.Mode().Perm().String())
	}
	keys, err := auditlog.ParseSignerKey(string(raw))
	if err != nil {
		return auditlog.Keys{}, fmt.Errorf("VW_AUDIT_KEY_FILE %s: %w", path, err)
	}
	return keys, nil
}

// prepareAuditKeys is serve's signing key: the key file's, or, when there
// is no key file yet, a new key that save writes to it (readable by its
// owner only, 0600, in a directory created 0700). serve saves it once its
// address is bound, so a start refused for a bad setting leaves no key
// file behind; save is nil when the key file exists.
func prepareAuditKeys(cfg config, logger *slog.Logger) (keys auditlog.Keys, save func() error, err error) {
	path := cfg.auditKeyFile()
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		keys, err := loadAuditKeys(cfg, logger)
		return keys, nil, err
	}
	skey, err := auditlog.NewSignerKey()
	if err != nil {
		return auditlog.Keys{}, nil, err
	}
	if keys, err = auditlog.ParseSignerKey(skey); err != nil {
		return auditlog.Keys{}, nil, err
	}
	save = func() error {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return fmt.Errorf("VW_AUDIT_KEY_FILE: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("VW_AUDIT_KEY_FILE: %w", err)
		}
		_, werr := f.WriteString(skey + "\n")
		if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
			return fmt.Errorf("VW_AUDIT_KEY_FILE %s: %w", path, err)
		}
		logger.Warn("audit log signing key created; keep a copy of the public key outside this server",
			"file", path, "public_key", keys.Public)
		return nil
	}
	return keys, save, nil
}

// auditVerifier is the public key the commands check with: the one given
// (--public-key), else the key file's.
func auditVerifier(cfg config, given string, logger *slog.Logger) (auditlog.Keys, error) {
	if given != "" {
		v, err := auditlog.ParseVerifierKey(given)
		return auditlog.Keys{Verifier: v, Public: strings.TrimSpace(given)}, err
	}
	keys, err := loadAuditKeys(cfg, logger)
	if err != nil {
		return keys, fmt.Errorf("%w (or give the log's public key with --public-key)", err)
	}
	return auditlog.Keys{Verifier: keys.Verifier, Public: keys.Public}, nil
}

// auditCheckpoint returns the database's latest checkpoint, verified with
// v (a zero Signed when nothing is sealed), for the audit workbook.
func auditCheckpoint(db *repository.DB, v note.Verifier) func(ctx context.Context) (auditlog.Signed, error) {
	return func(ctx context.Context) (auditlog.Signed, error) {
		head, err := repository.NewAuditLog(db).Head(ctx)
		if err != nil || head.Note == "" {
			return auditlog.Signed{}, err
		}
		return auditlog.Open(head.Note, v)
	}
}

// startAuditSealer registers the sealer job on the scheduler and, when the
// schedule is on, runs it at once: sealing starts with serve, not at the
// next minute, and keeps the sealer in bg for one last seal when serve
// stops. The sealer will sign nothing that does not extend the checkpoint
// file's last checkpoint.
func startAuditSealer(cfg config, a *app, bg *background, keys auditlog.Keys, on bool, logger *slog.Logger) error {
	sched := bg.sched
	file := jobs.CheckpointFile{Path: cfg.auditCheckpointFile(), Clock: a.svc.Clock}
	if err := os.MkdirAll(filepath.Dir(file.Path), 0o750); err != nil {
		return fmt.Errorf("VW_AUDIT_CHECKPOINT_FILE: %w", err)
	}
	sealer := &auditlog.Sealer{Tx: a.db, Store: repository.NewAuditLog(a.db), Keys: keys, Clock: a.svc.Clock,
		Events: a.svc.Events, Publish: file.Append}
	last, ok, err := file.Last(keys.Verifier)
	if err != nil {
		return fmt.Errorf("VW_AUDIT_CHECKPOINT_FILE: %w", err)
	}
	if ok {
		sealer.Extend(last)
	}
	if err := sched.Add(jobs.JobAuditSeal, jobs.AuditSealSchedule,
		jobs.AuditSealJob(sealer, cfg.AuditSealInterval, sched.Stopping())); err != nil {
		return err
	}
	logger.Info("audit log", "public_key", keys.Public, "checkpoint_file", file.Path,
		"seal_interval", cfg.AuditSealInterval.String(), "sealing", on)
	if on {
		if _, err := sched.Trigger(context.Background(), jobs.JobAuditSeal); err != nil {
			return fmt.Errorf("start the audit log sealer: %w", err)
		}
		bg.sealer = sealer
	}
	return nil
}

// pathsFlag collects a repeated path flag.
type pathsFlag []string

func (p *pathsFlag) String() string     { return strings.Join(*p, " ") }
func (p *pathsFlag) Set(v string) error { *p = append(*p, v); return nil }

// cmdAudit runs the audit log's subcommands: verify, prove and
// check-proof.
func cmdAudit(ctx context.Context, cfg config, args []string, logger *slog.Logger, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "verify":
			return cmdAuditVerify(ctx, cfg, args[1:], logger, stdout, stderr)
		case "prove":
			return cmdAuditProve(ctx, cfg, args[1:], logger, stdout, stderr)
		case "check-proof":
			return cmdAuditCheckProof(args[1:], stdin, stdout, stderr)
		}
	}
	fs := newFlags("audit", args, stdout, stderr)
	cfg.dbFlag(fs)
	auditFlags(fs)
	if helpRequested(args) {
		fs.Usage()
		return flag.ErrHelp
	}
	return errors.New("usage: vendorwatch audit verify|prove|check-proof ... (vendorwatch audit --help explains)")
}

// auditFlags are the flags of the audit subcommands that are not the
// database's; each subcommand takes those its help names.
func auditFlags(fs *flag.FlagSet) (checkpoints *pathsFlag, publicKey *string) {
	checkpoints = &pathsFlag{}
	fs.Var(checkpoints, "checkpoint", "verify: a checkpoint file, or a file holding one signed checkpoint "+
		"(repeat for several; default: VW_AUDIT_CHECKPOINT_FILE if it exists)")
	publicKey = fs.String("public-key", "", "the log's public key, as GET /api/v1/audit/public-key gives it "+
		"(verify and prove: default derived from VW_AUDIT_KEY_FILE; check-proof: required)")
	return checkpoints, publicKey
}

// stdin is where check-proof reads a proof given as "-" or not at all,
// and user create --password-stdin the password (tests replace it).
var stdin io.Reader = os.Stdin

// cmdAuditVerify checks the stored log against itself and against the
// checkpoints given (by default the configured checkpoint file).
func cmdAuditVerify(ctx context.Context, cfg config, args []string, logger *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlags("audit", args, stdout, stderr)
	cfg.dbFlag(fs)
	checkpoints, pub := auditFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	files := *checkpoints
	keys, err := auditVerifier(cfg, *pub, logger)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		if _, err := os.Stat(cfg.auditCheckpointFile()); err == nil {
			files = append(files, cfg.auditCheckpointFile())
		}
	}
	var given []auditlog.Given
	for _, path := range files {
		g, err := readGiven(path)
		if err != nil {
			return err
		}
		given = append(given, g...)
	}
	a, err := openApp(ctx, cfg, logger, false)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := auditlog.Verify(ctx, repository.NewAuditLog(a.db), keys.Verifier, given)
	if err != nil {
		return err
	}
	printReport(stdout, rep, files)
	if !rep.Intact() {
		return errors.New("audit log broken")
	}
	return nil
}

func readGiven(path string) ([]auditlog.Given, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--checkpoint: %w", err)
	}
	defer f.Close()
	g, err := auditlog.ReadGiven(f, path)
	if err != nil {
		return nil, fmt.Errorf("--checkpoint: %w", err)
	}
	return g, nil
}

// printReport writes what Verify found, problems first.
func printReport(w io.Writer, rep auditlog.Report, files []string) {
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "PROBLEM: %s\n", p)
	}
	fmt.Fprintf(w, "%s to their leaves; the tree's root is %s\n", domain.Count(rep.Leaves, "sealed event hashes", "sealed events hash"), b64(rep.Root[:]))
	extended, largest := 0, int64(0)
	for _, c := range rep.Checkpoints {
		if c.Err != nil {
			fmt.Fprintf(w, "checkpoint %s (size %d): NOT extended: %v\n", c.Source, c.Size, c.Err)
			continue
		}
		extended++
		largest = max(largest, c.Size)
	}
	switch {
	case len(files) == 0:
		fmt.Fprintln(w, "no checkpoint given (and no checkpoint file): the database was checked against itself only; "+
			"a writer who rolled it back to an earlier signed head would go unseen (give --checkpoint FILE)")
	case extended > 0:
		fmt.Fprintf(w, "the log extends %s from %s (the largest of size %d; consistency proofs checked)\n",
			domain.Count(extended, "checkpoint", "checkpoints"), strings.Join(files, ", "), largest)
	}
	if rep.Unsealed > 0 {
		fmt.Fprintf(w, "%s not sealed yet (the oldest written at %s): no checkpoint covers them\n",
			domain.Count(rep.Unsealed, "event is", "events are"), rep.OldestUnsealed.Format(time.RFC3339))
	}
	if rep.Intact() {
		fmt.Fprintln(w, "audit log intact")
	} else {
		fmt.Fprintln(w, "audit log BROKEN")
	}
}

func cmdAuditProve(ctx context.Context, cfg config, args []string, logger *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlags("audit", args, stdout, stderr)
	cfg.dbFlag(fs)
	_, pub := auditFlags(fs)
	id, rest := "", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, rest = args[0], args[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if id == "" && fs.NArg() == 1 {
		id = fs.Arg(0)
	}
	if id == "" {
		return errors.New("usage: vendorwatch audit prove EVENT_ID [--public-key KEY] [--db URL]")
	}
	keys, err := auditVerifier(cfg, *pub, logger)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, logger, false)
	if err != nil {
		return err
	}
	defer a.Close()
	p, err := auditlog.Prove(ctx, repository.NewAuditLog(a.db), keys, id)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// cmdAuditCheckProof checks a proof printed by audit prove with the
// public key alone: no database, no key file.
func cmdAuditCheckProof(args []string, in io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("audit", args, stdout, stderr)
	_, pub := auditFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pub == "" || fs.NArg() > 1 {
		return errors.New("usage: vendorwatch audit check-proof --public-key KEY [FILE]   (the proof from audit prove; standard input without FILE)")
	}
	v, err := auditlog.ParseVerifierKey(*pub)
	if err != nil {
		return err
	}
	if path := fs.Arg(0); path != "" && path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	var p auditlog.Proof
	if err := json.NewDecoder(in).Decode(&p); err != nil {
		return fmt.Errorf("read the proof: %w", err)
	}
	cp, err := auditlog.CheckProof(p, v)
	if err != nil {
		return fmt.Errorf("proof does NOT check: %w", err)
	}
	fmt.Fprintf(stdout, "proof checks: leaf %d of the log %s of %s (root %s), signed by %s, is:\n%s\n",
		p.LeafIndex, cp.Origin, domain.Count(cp.Size, "leaf", "leaves"), b64(cp.Root[:]), v.Name(), p.LeafData)
	return nil
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
